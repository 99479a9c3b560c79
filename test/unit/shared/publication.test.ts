import { ErrorCode } from '../../../shared/src/errors';
import { parsePublication } from '../../../shared/src/publication';

describe('publications', () => {
  it('reads a single message with its meta', () => {
    expect(parsePublication('{"stream":"s","data":"{\\"a\\":1}","meta":{"exclude_socket":"sid","transient":true}}')).toEqual({
      kind: 'messages',
      messages: [{ stream: 's', data: '{"a":1}', meta: { exclude_socket: 'sid', transient: true } }],
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
    ['a batch with one bad message', '[{"stream":"a","data":"1"},{"stream":"b"}]'],
    ['an empty batch', '[]'],
    ['an unknown command', '{"command":"explode"}'],
    ['a disconnect without identifier', '{"command":"disconnect","payload":{}}'],
    ['a number', '42'],
  ])('refuses %s', (_name, raw) => {
    expect(() => parsePublication(raw)).toThrow(expect.objectContaining({ code: ErrorCode.PublicationInvalid }));
  });
});
