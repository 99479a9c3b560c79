import { startRpcServer, type TestRpcServer } from '../../support/rpc-server';
import { CHAT, annContext, envFor, rpcFor, type RpcUnderTest } from './harness';

describe('RpcController against an anycable.RPC server', () => {
  const broadcasts: { stream: string; data: string }[] = [];
  let server: TestRpcServer;
  let subject: RpcUnderTest;

  beforeEach(async () => {
    broadcasts.length = 0;
    server = await startRpcServer({
      broadcast: async (stream, data) => {
        broadcasts.push({ stream, data });
      },
    });
    subject = rpcFor(server.address);
  });

  afterEach(async () => {
    await subject.rpc.shutdown(Date.now() + 1000);
    await server.stop();
  });

  describe('connect', () => {
    test('gives the identifiers, welcome frame and connection state the app answers for a known user', async () => {
      const result = await subject.rpc.controller.connect('sid-1', envFor('username=ann'));

      expect(result).toEqual({
        status: 'SUCCESS',
        path: 'rpc',
        identifiers: '{"current_user":"ann"}',
        transmissions: ['{"type":"welcome","sid":"sid-1"}'],
        cstate: { user: 'ann' },
        disconnectInterest: true,
      });
    });

    test('gives FAILURE with the unauthorized frame when the app does not know the user', async () => {
      const result = await subject.rpc.controller.connect('sid-1', envFor('theme=dark'));

      expect(result).toMatchObject({
        status: 'FAILURE',
        transmissions: ['{"type":"disconnect","reason":"unauthorized","reconnect":false}'],
        disconnectInterest: true,
      });
    });

    test('gives ERROR with the message of an app that fails', async () => {
      const result = await subject.rpc.controller.connect('sid-1', envFor('error=1'));

      expect(result).toMatchObject({ status: 'ERROR', errorMessage: 'Connection failed: boom' });
    });

    test('sends the request url and headers', async () => {
      await subject.rpc.controller.connect('sid-1', envFor('username=ann'));

      expect(server.requests.connect[0].request.env).toMatchObject(envFor('username=ann'));
    });
  });

  describe('commands', () => {
    test('subscribes to a channel with its streams, confirmation and subscription state', async () => {
      const result = await subject.rpc.controller.subscribe(annContext({ istate: {} }), CHAT);

      expect(result).toEqual({
        status: 'SUCCESS',
        disconnect: false,
        stopStreams: false,
        stoppedStreams: [],
        streams: ['chat_42'],
        transmissions: [`{"identifier":${JSON.stringify(CHAT)},"type":"confirm_subscription"}`],
        istate: { room: '42' },
        disconnectInterest: true,
      });
    });

    test('relays the rejection of a subscription the app refuses', async () => {
      const identifier = '{"channel":"RejectChannel"}';
      const result = await subject.rpc.controller.subscribe(annContext(), identifier);

      expect(result).toMatchObject({
        status: 'FAILURE',
        streams: [],
        transmissions: [`{"identifier":${JSON.stringify(identifier)},"type":"reject_subscription"}`],
      });
    });

    test('hands the app the connection identifiers and both states with a command', async () => {
      const result = await subject.rpc.controller.perform(annContext(), CHAT, '{"action":"whoami"}');

      expect(result.transmissions.map((frame) => JSON.parse(frame))).toEqual([
        {
          identifier: CHAT,
          message: { identifiers: '{"current_user":"ann"}', cstate: { user: 'ann' }, istate: { room: '42' } },
        },
      ]);
    });

    test('lets the app broadcast while it performs an action', async () => {
      const result = await subject.rpc.controller.perform(annContext(), CHAT, '{"action":"speak","message":"hi"}');

      expect(result.status).toBe('SUCCESS');
      expect(broadcasts).toEqual([{ stream: 'chat_42', data: '{"text":"hi","from":"ann"}' }]);
    });

    test('passes on the app asking to stop the streams of a subscription', async () => {
      const result = await subject.rpc.controller.perform(annContext(), CHAT, '{"action":"stop"}');

      expect(result).toMatchObject({ status: 'SUCCESS', stopStreams: true });
    });

    test('passes on the app asking to close the connection, with its disconnect frame', async () => {
      const result = await subject.rpc.controller.perform(annContext(), CHAT, '{"action":"kick"}');

      expect(result).toMatchObject({
        disconnect: true,
        transmissions: ['{"type":"disconnect","reason":"kicked","reconnect":false}'],
      });
    });

    test('gives ERROR for an action the channel cannot process', async () => {
      const result = await subject.rpc.controller.perform(annContext(), CHAT, '{"action":"fly"}');

      expect(result).toMatchObject({ status: 'ERROR', errorMessage: 'Unable to process ChatChannel#fly' });
    });

    test('unsubscribes with the unsubscribe command', async () => {
      const result = await subject.rpc.controller.unsubscribe(annContext(), CHAT);

      expect(result.status).toBe('SUCCESS');
      expect(server.requests.command[0].request).toMatchObject({ command: 'unsubscribe', identifier: CHAT });
    });
  });

  test('tells the app of a disconnect with identifiers, subscriptions and every state', async () => {
    await subject.rpc.controller.disconnect({
      sid: 'sid-ann',
      identifiers: '{"current_user":"ann"}',
      subscriptions: [CHAT],
      env: envFor('username=ann'),
      cstate: { user: 'ann' },
      istate: { [CHAT]: '{"room":"42"}' },
    });

    expect(server.requests.disconnect[0].request).toEqual({
      identifiers: '{"current_user":"ann"}',
      subscriptions: [CHAT],
      env: { ...envFor('username=ann'), cstate: { user: 'ann' }, istate: { [CHAT]: '{"room":"42"}' } },
    });
  });

  test('sends the session id and protocol version v1 as metadata of every call', async () => {
    const { controller } = subject.rpc;
    await controller.connect('sid-ann', envFor('username=ann'));
    await controller.subscribe(annContext(), CHAT);
    await controller.disconnect({ ...annContext(), subscriptions: [CHAT] });

    const metadata = [...server.requests.connect, ...server.requests.command, ...server.requests.disconnect].map(
      (call) => call.metadata,
    );
    expect(metadata).toEqual(Array(3).fill({ sid: 'sid-ann', protov: 'v1' }));
  });

  test('counts one call per method in rpc_call_total', async () => {
    const { controller } = subject.rpc;
    await controller.connect('sid-ann', envFor('username=ann'));
    await controller.subscribe(annContext(), CHAT);
    await controller.perform(annContext(), CHAT, '{"action":"whoami"}');

    expect(await subject.metric('rpc_call_total', { method: 'connect' })).toBe(1);
    expect(await subject.metric('rpc_call_total', { method: 'command' })).toBe(2);
    expect(await subject.metric('rpc_call_total', { method: 'disconnect' })).toBe(0);
  });

  test.each(['grpc://', 'dns:///'])('reaches the app through an rpc_host of the form %shost:port', async (scheme) => {
    const other = rpcFor(`${scheme}${server.address}`);
    try {
      await expect(other.rpc.controller.connect('sid-1', envFor('username=ann'))).resolves.toMatchObject({ status: 'SUCCESS' });
    } finally {
      await other.rpc.shutdown(Date.now() + 1000);
    }
  });

  test('counts an ERROR answer in rpc_error_total', async () => {
    await subject.rpc.controller.connect('sid-1', envFor('error=1'));

    expect(await subject.metric('rpc_error_total')).toBe(1);
  });
});
