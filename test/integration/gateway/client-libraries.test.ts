import { actionCableClient, anycableCable } from '../../support/clients';
import { postBroadcast, startGateway } from '../../support/gateway';
import { startRpcServer, type TestRpcServer } from '../../support/rpc-server';
import { waitFor } from '../../support/wait';

/** What the real client libraries do with the server's disconnect frames: stop, or reconnect elsewhere. */
let rpc: TestRpcServer;

beforeAll(async () => {
  rpc = await startRpcServer();
});

afterAll(async () => {
  await rpc?.stop();
});

describe('a remote disconnect without reconnect', () => {
  it('stops an @rails/actioncable consumer for good', async () => {
    const gateway = await startGateway({ rpc_host: rpc.address });
    try {
      const client = actionCableClient(gateway.url, { cookie: 'username=banned' });
      const { recorder } = client.subscribe({ channel: 'ChatChannel', room: 'banned' });
      await recorder.confirmed();
      await postBroadcast(gateway.broadcastUrl, {
        command: 'disconnect',
        payload: { identifier: '{"current_user":"banned"}', reconnect: false },
      });
      const { connection } = client.consumer as unknown as {
        connection: { isOpen(): boolean; monitor: { isRunning(): boolean } };
      };
      await waitFor(() => !connection.isOpen() && !connection.monitor.isRunning(), 'the consumer to stop');
      client.close();
    } finally {
      await gateway.stop();
    }
  });
});

describe('a graceful shutdown', () => {
  it('makes an @anycable/web client reconnect to the node that takes over, and resubscribe', async () => {
    const gateway = await startGateway({ rpc_host: rpc.address });
    const cable = anycableCable(gateway.url, { websocketOptions: { headers: { cookie: 'username=mover' } } });
    const reasons: string[] = [];
    cable.on('disconnect', (event) => reasons.push(event.reason ?? ''));
    const channel = cable.subscribeTo('ChatChannel', { room: 'moving' });
    const received: unknown[] = [];
    channel.on('message', (message: unknown) => received.push(message));
    await channel.ensureSubscribed();
    expect(await gateway.stop('SIGTERM')).toBe(0);
    await waitFor(() => reasons.includes('server_restart'), 'the server_restart disconnect');

    const successor = await startGateway({ rpc_host: rpc.address, port: gateway.port });
    try {
      await waitFor(() => cable.state === 'connected', 'the client to reconnect', 15_000);
      await channel.ensureSubscribed();
      await postBroadcast(successor.broadcastUrl, { stream: 'chat_moving', data: '"after the move"' });
      await waitFor(() => received.includes('after the move'), 'a broadcast after the move');
    } finally {
      cable.disconnect();
      await successor.stop();
    }
  }, 30_000);
});
