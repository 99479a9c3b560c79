import { commandResult, connectResult } from '../../../gateway/src/rpc/responses';
import type { CommandResponse, ConnectionResponse, Status } from '../../../gateway/src/rpc/proto';

const CONNECTED: ConnectionResponse = {
  status: 'SUCCESS',
  identifiers: '{"current_user":"ann"}',
  transmissions: ['{"type":"welcome","sid":"s1"}'],
  error_msg: '',
  env: { cstate: { user: 'ann' }, istate: {} },
};

const SUBSCRIBED: CommandResponse = {
  status: 'SUCCESS',
  disconnect: false,
  stop_streams: false,
  streams: ['chat_1'],
  transmissions: ['{"identifier":"x","type":"confirm_subscription"}'],
  error_msg: '',
  env: { cstate: { seen: '' }, istate: { room: '1' } },
  stopped_streams: ['chat_0'],
  presence: null,
};

describe('connectResult', () => {
  test('carries identifiers, transmissions and connection state of the RPC path', () => {
    expect(connectResult(CONNECTED)).toEqual({
      status: 'SUCCESS',
      path: 'rpc',
      identifiers: '{"current_user":"ann"}',
      transmissions: ['{"type":"welcome","sid":"s1"}'],
      cstate: { user: 'ann' },
      disconnectInterest: true,
    });
  });

  test('leaves the state out when the answer has no env', () => {
    expect(connectResult({ ...CONNECTED, env: null }).cstate).toBeUndefined();
  });

  test('maps a status the proto does not know to ERROR', () => {
    expect(connectResult({ ...CONNECTED, status: 7 as unknown as Status }).status).toBe('ERROR');
  });
});

describe('commandResult', () => {
  test('carries streams, stopped streams, transmissions and both state changes', () => {
    expect(commandResult(SUBSCRIBED)).toEqual({
      status: 'SUCCESS',
      disconnect: false,
      stopStreams: false,
      stoppedStreams: ['chat_0'],
      streams: ['chat_1'],
      transmissions: ['{"identifier":"x","type":"confirm_subscription"}'],
      istate: { room: '1' },
      cstate: { seen: '' },
      disconnectInterest: true,
    });
  });

  test('keeps the error message of an ERROR answer', () => {
    const result = commandResult({ ...SUBSCRIBED, status: 'ERROR', error_msg: 'boom' });
    expect(result).toMatchObject({ status: 'ERROR', errorMessage: 'boom' });
  });
});
