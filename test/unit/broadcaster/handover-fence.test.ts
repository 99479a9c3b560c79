import { fenceText, looksLikeFence, readMarker, watermarkText } from '../../../broadcaster/src/handover-fence';

describe('the markers of a fan-out input', () => {
  test('read back what they wrote, and are told from a publication by their first bytes', () => {
    const fence = fenceText({ from: 'node-a', to: 'node-b' });
    const watermark = watermarkText('node-a/0f1e.7');
    expect(looksLikeFence(fence)).toBe(true);
    expect(looksLikeFence(watermark)).toBe(true);
    expect(readMarker(fence)).toEqual({ kind: 'handover', fence: { from: 'node-a', to: 'node-b' } });
    expect(readMarker(watermark)).toEqual({ kind: 'watermark', mark: 'node-a/0f1e.7' });
    expect(looksLikeFence(JSON.stringify({ stream: 'chat', data: '{"cableway_handover_fence":1}' }))).toBe(false);
  });

  test('read nothing from text that only looks like one', () => {
    expect(readMarker('{"cableway_handover_fence":')).toBeNull();
    expect(readMarker('{"cableway_handover_fence":{"from":"a"}}')).toBeNull();
    expect(readMarker('{"cableway_handover_fence":{"from":1,"to":"b"}}')).toBeNull();
    expect(readMarker('{"cableway_handover_fence":{"mark":3}}')).toBeNull();
    expect(readMarker('{"cableway_handover_fence":null}')).toBeNull();
  });
});
