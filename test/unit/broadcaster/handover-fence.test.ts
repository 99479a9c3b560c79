import { fenceText, looksLikeFence, readFence } from '../../../broadcaster/src/handover-fence';

describe('the handover fence', () => {
  test('reads back what it wrote, and is told from a publication by its first bytes', () => {
    const text = fenceText({ from: 'node-a', to: 'node-b' });
    expect(looksLikeFence(text)).toBe(true);
    expect(readFence(text)).toEqual({ from: 'node-a', to: 'node-b' });
    expect(looksLikeFence(JSON.stringify({ stream: 'chat', data: '{"cableway_handover_fence":1}' }))).toBe(false);
  });

  test('reads nothing from text that only looks like one', () => {
    expect(readFence('{"cableway_handover_fence":')).toBeNull();
    expect(readFence('{"cableway_handover_fence":{"from":"a"}}')).toBeNull();
    expect(readFence('{"cableway_handover_fence":{"from":1,"to":"b"}}')).toBeNull();
    expect(readFence('{"cableway_handover_fence":null}')).toBeNull();
  });
});
