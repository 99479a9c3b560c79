import { identifierParams } from '../../../gateway/src/channels/identifier-params';

describe('identifierParams', () => {
  test('gives every param of an identifier object', () => {
    expect(identifierParams('{"channel":"ChatChannel","room":1}')).toEqual({ channel: 'ChatChannel', room: 1 });
  });

  test.each([
    ['malformed JSON', '{"channel":'],
    ['a JSON string', '"ChatChannel"'],
    ['an array', '["ChatChannel"]'],
    ['null', 'null'],
  ])('gives null for %s', (_case, identifier) => {
    expect(identifierParams(identifier)).toBeNull();
  });
});
