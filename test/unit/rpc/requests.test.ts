import type { CommandContext } from '../../../gateway/src/core/controller';
import { commandMessage, disconnectRequest } from '../../../gateway/src/rpc/requests';

const CONTEXT: CommandContext = {
  sid: 's1',
  identifiers: '{"current_user":"ann"}',
  env: { url: 'http://example.com/cable', headers: { cookie: 'username=ann' } },
  cstate: { user: 'ann' },
  istate: { room: '1' },
};

describe('commandMessage', () => {
  test('sends the connection identifiers and the whole env with a command', () => {
    expect(commandMessage(CONTEXT, 'subscribe', '{"channel":"ChatChannel"}')).toEqual({
      command: 'subscribe',
      identifier: '{"channel":"ChatChannel"}',
      connection_identifiers: '{"current_user":"ann"}',
      env: {
        url: 'http://example.com/cable',
        headers: { cookie: 'username=ann' },
        cstate: { user: 'ann' },
        istate: { room: '1' },
      },
    });
  });

  test('sends data with a message command', () => {
    expect(commandMessage(CONTEXT, 'message', 'x', '{"action":"speak"}').data).toBe('{"action":"speak"}');
  });
});

describe('disconnectRequest', () => {
  test('sends identifiers, subscriptions and the state of every subscription', () => {
    const request = disconnectRequest({
      sid: 's1',
      identifiers: '{"current_user":"ann"}',
      subscriptions: ['a', 'b'],
      env: CONTEXT.env,
      cstate: { user: 'ann' },
      istate: { a: '{"room":"1"}' },
    });
    expect(request).toEqual({
      identifiers: '{"current_user":"ann"}',
      subscriptions: ['a', 'b'],
      env: {
        url: 'http://example.com/cable',
        headers: { cookie: 'username=ann' },
        cstate: { user: 'ann' },
        istate: { a: '{"room":"1"}' },
      },
    });
  });
});
