import { ErrorCode } from '../../../shared/src/errors';
import { parsePublication } from '../../../shared/src/publication';

describe('publications', () => {
  it('reads a single message with its meta', () => {
    expect(parsePublication('{"stream":"s","data":"{\\"a\\":1}","meta":{"exclude_socket":"sid","transient":true}}')).toEqual({
      kind: 'messages',
      messages: [{ stream: 's', data: '{"a":1}', meta: { exclude_socket: 'sid', transient: true } }],
      invalid: [],
    });
  });

  it('reads a batch in order', () => {
    const publication = parsePublication('[{"stream":"a","data":"1"},{"stream":"b","data":"2"}]');
    expect(publication).toEqual({
      kind: 'messages',
      messages: [
        { stream: 'a', data: '1' },
        { stream: 'b', data: '2' },
      ],
      invalid: [],
    });
  });

  it('keeps the valid elements of a batch in order and lists the invalid ones', () => {
    const publication = parsePublication(
      '[{"stream":"a","data":"1"},{"data":"x"},{"stream":"b","data":2},{"stream":"a","data":"3"}]',
    );
    expect(publication).toEqual({
      kind: 'messages',
      messages: [
        { stream: 'a', data: '1' },
        { stream: 'a', data: '3' },
      ],
      invalid: [
        { index: 1, reason: 'a message needs a non-empty string "stream"' },
        { index: 2, reason: '"data" of stream "b" must be a JSON-encoded string' },
      ],
    });
  });

  it('reads the remote disconnect command', () => {
    expect(parsePublication('{"command":"disconnect","payload":{"identifier":"{\\"u\\":1}","reconnect":true}}')).toEqual({
      kind: 'command',
      command: { command: 'disconnect', payload: { identifier: '{"u":1}', reconnect: true } },
    });
  });

  it.each([
    ['invalid JSON', '{'],
    ['data that is an object', '{"stream":"s","data":{"a":1}}'],
    ['an empty stream', '{"stream":"","data":"1"}'],
    ['an empty batch', '[]'],
    ['an unknown command', '{"command":"explode"}'],
    ['a disconnect without identifier', '{"command":"disconnect","payload":{}}'],
    ['a number', '42'],
  ])('refuses %s', (_name, raw) => {
    expect(() => parsePublication(raw)).toThrow(expect.objectContaining({ code: ErrorCode.PublicationInvalid }));
  });
});
