import { ErrorCode } from '../../../shared/src/errors';
import { decodeCommand } from '../../../gateway/src/protocol/commands';
import {
  confirmFrame,
  confirmHistoryFrame,
  disconnectFrame,
  pingFrame,
  rejectFrame,
  rejectHistoryFrame,
  restoredWelcomeFrame,
} from '../../../gateway/src/protocol/frames';

describe('client commands', () => {
  it('decodes subscribe, unsubscribe, message, whisper, ping and pong', () => {
    expect(decodeCommand('{"command":"subscribe","identifier":"{\\"channel\\":\\"A\\"}"}')).toEqual({
      command: 'subscribe',
      identifier: '{"channel":"A"}',
      history: null,
      presence: null,
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

  it('decodes the history of the extended protocol, on subscribe and as a command', () => {
    expect(
      decodeCommand(
        '{"command":"history","identifier":"x","history":{"since":1700000000,"streams":{"s":{"epoch":"e1","offset":3}}}}',
      ),
    ).toEqual({
      command: 'history',
      identifier: 'x',
      history: { since: 1700000000, streams: { s: { epoch: 'e1', offset: 3 } } },
    });
    expect(decodeCommand('{"command":"subscribe","identifier":"x","history":{"since":17}}')).toEqual({
      command: 'subscribe',
      identifier: 'x',
      history: { since: 17, streams: {} },
      presence: null,
    });
    expect(decodeCommand('{"command":"history","identifier":"x","history":{"since":0,"streams":{}}}')).toEqual({
      command: 'history',
      identifier: 'x',
      history: null,
    });
  });

  it.each([
    ['a history that is not an object', '{"command":"history","identifier":"x","history":[1]}'],
    ['a stream position without an epoch', '{"command":"history","identifier":"x","history":{"streams":{"s":{"offset":1}}}}'],
    ['a negative offset', '{"command":"history","identifier":"x","history":{"streams":{"s":{"epoch":"e","offset":-1}}}}'],
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

  it('builds the extended frames in anycable-go key order', () => {
    expect(confirmHistoryFrame('{"channel":"A"}')).toBe('{"type":"confirm_history","identifier":"{\\"channel\\":\\"A\\"}"}');
    expect(rejectHistoryFrame('i')).toBe('{"type":"reject_history","identifier":"i"}');
    expect(restoredWelcomeFrame('new-sid', ['a', 'b'])).toBe(
      '{"type":"welcome","sid":"new-sid","restored":true,"restored_ids":["a","b"]}',
    );
  });
});
