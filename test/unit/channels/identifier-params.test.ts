import { channelNameOf, identifierParams } from '../../../gateway/src/channels/identifier-params';

describe('channelNameOf', () => {
  test('reads the channel of an identifier whatever the key order', () => {
    expect(channelNameOf('{"signed_stream_name":"x","channel":"Turbo::StreamsChannel"}')).toBe('Turbo::StreamsChannel');
  });

  test.each([
    ['malformed JSON', '{"channel":'],
    ['a JSON string', '"ChatChannel"'],
    ['an array', '["ChatChannel"]'],
    ['null', 'null'],
    ['no channel', '{"room":1}'],
    ['a channel that is not a string', '{"channel":{"name":"ChatChannel"}}'],
  ])('gives null for %s', (_case, identifier) => {
    expect(channelNameOf(identifier)).toBeNull();
  });
});

describe('identifierParams', () => {
  test('gives every param of an identifier object', () => {
    expect(identifierParams('{"channel":"ChatChannel","room":1}')).toEqual({ channel: 'ChatChannel', room: 1 });
  });
});
