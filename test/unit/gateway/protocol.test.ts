import { ErrorCode } from '../../../shared/src/errors';
import { decodeCommand } from '../../../gateway/src/protocol/commands';
import { confirmFrame, disconnectFrame, pingFrame, rejectFrame } from '../../../gateway/src/protocol/frames';

describe('client commands', () => {
  it('decodes subscribe, unsubscribe, message, whisper, ping and pong', () => {
    expect(decodeCommand('{"command":"subscribe","identifier":"{\\"channel\\":\\"A\\"}"}')).toEqual({
      command: 'subscribe',
      identifier: '{"channel":"A"}',
    });
    expect(decodeCommand('{"command":"unsubscribe","identifier":"x"}')).toEqual({ command: 'unsubscribe', identifier: 'x' });
    expect(decodeCommand('{"command":"message","identifier":"x","data":"{}"}')).toEqual({
      command: 'message',
      identifier: 'x',
      data: '{}',
    });
    expect(decodeCommand('{"command":"whisper","identifier":"x","data":{"a":1}}')).toEqual({
      command: 'whisper',
      identifier: 'x',
      data: { a: 1 },
    });
    expect(decodeCommand('{"command":"ping"}')).toEqual({ command: 'ping' });
    expect(decodeCommand('{"command":"pong"}')).toEqual({ command: 'pong' });
  });

  it.each([
    ['invalid JSON', '{"command":'],
    ['a JSON string', '"subscribe"'],
    ['an array', '[1,2]'],
    ['a non-string identifier', '{"command":"subscribe","identifier":{"channel":"A"}}'],
    ['message data that is not a string', '{"command":"message","identifier":"x","data":{"action":"a"}}'],
    ['an unknown command', '{"command":"shout","identifier":"x"}'],
    ['no command', '{"identifier":"x"}'],
  ])('refuses %s with a command error', (_name, frame) => {
    expect(() => decodeCommand(frame)).toThrow(expect.objectContaining({ code: ErrorCode.CommandInvalid }));
  });
});

describe('server frames', () => {
  it('keeps anycable-go key order in disconnect frames', () => {
    expect(disconnectFrame('unauthorized')).toBe('{"type":"disconnect","reason":"unauthorized","reconnect":false}');
    expect(disconnectFrame('server_restart')).toBe('{"type":"disconnect","reason":"server_restart","reconnect":true}');
    expect(disconnectFrame('remote', false)).toBe('{"type":"disconnect","reason":"remote","reconnect":false}');
  });

  it('echoes identifiers exactly inside confirm and reject frames', () => {
    const identifier = '{"signed_stream_name":"x","channel":"Turbo::StreamsChannel","b":"<&>"}';
    expect(JSON.parse(confirmFrame(identifier))).toEqual({ type: 'confirm_subscription', identifier });
    expect(JSON.parse(rejectFrame(identifier))).toEqual({ type: 'reject_subscription', identifier });
  });

  it('puts the timestamp in a ping as a number', () => {
    expect(JSON.parse(pingFrame('1700000000'))).toEqual({ type: 'ping', message: 1700000000 });
  });
});
