import { decodeResponse, encodeRequest } from '../../../gateway/src/rpc/json-codec';

const ENV = { url: 'http://example.com/cable?x=1', headers: { cookie: 'a=1', REMOTE_ADDR: '10.0.0.1' } };

describe('the JSON encoding of RPC over HTTP', () => {
  it('writes requests as anycable-go does: proto field names, in proto order, empty fields left out', () => {
    expect(encodeRequest('connect', { env: ENV })).toBe(
      '{"env":{"url":"http://example.com/cable?x=1","headers":{"cookie":"a=1","REMOTE_ADDR":"10.0.0.1"}}}',
    );
    expect(
      encodeRequest('command', {
        command: 'message',
        identifier: '{"channel":"ChatChannel"}',
        connection_identifiers: '{"user":"ann"}',
        data: '{"action":"speak"}',
        env: { ...ENV, cstate: { user: 'ann' }, istate: {} },
      }),
    ).toBe(
      '{"command":"message","identifier":"{\\"channel\\":\\"ChatChannel\\"}","connection_identifiers":"{\\"user\\":\\"ann\\"}",' +
        '"data":"{\\"action\\":\\"speak\\"}","env":{"url":"http://example.com/cable?x=1",' +
        '"headers":{"cookie":"a=1","REMOTE_ADDR":"10.0.0.1"},"cstate":{"user":"ann"}}}',
    );
    expect(encodeRequest('disconnect', { identifiers: '', subscriptions: [], env: { url: '', headers: {} } })).toBe('{}');
  });

  it('keeps empty values inside state maps: they are the state', () => {
    expect(encodeRequest('connect', { env: { url: 'u', headers: {}, cstate: { gone: '' } } })).toBe(
      '{"env":{"url":"u","cstate":{"gone":""}}}',
    );
  });

  it('reads answers with enums as numbers and left-out fields at their defaults', () => {
    expect(
      decodeResponse('command', '{"status":1,"streams":["chat_1"],"env":{"istate":{"room":"1"}},"presence":{"type":"join"}}'),
    ).toEqual({
      status: 'SUCCESS',
      disconnect: false,
      stop_streams: false,
      streams: ['chat_1'],
      transmissions: [],
      error_msg: '',
      env: { cstate: {}, istate: { room: '1' } },
      stopped_streams: [],
      presence: { type: 'join', id: '', info: '', ttl: 0 },
    });
    expect(decodeResponse('connect', '{"status":2,"transmissions":["{}"],"error_msg":"Auth failed"}')).toEqual({
      status: 'FAILURE',
      identifiers: '',
      transmissions: ['{}'],
      error_msg: 'Auth failed',
      env: null,
    });
  });

  it('reads a left-out status as ERROR (0), and so an unknown one; status names are understood too', () => {
    expect(decodeResponse('disconnect', '{"error_msg":"boom"}')).toEqual({ status: 'ERROR', error_msg: 'boom' });
    expect(decodeResponse('disconnect', '{"status":7}').status).toBe('ERROR');
    expect(decodeResponse('disconnect', '{"status":"SUCCESS"}').status).toBe('SUCCESS');
  });

  it('throws on an answer that is not a JSON object', () => {
    expect(() => decodeResponse('connect', 'Unauthorized')).toThrow(SyntaxError);
    expect(() => decodeResponse('connect', '[1]')).toThrow(SyntaxError);
  });
});
