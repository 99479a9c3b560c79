import { rawClient } from '../../support/clients';
import { startGateway, type GatewayProcess } from '../../support/gateway';
import { startRpcServer, type TestRpcServer } from '../../support/rpc-server';
import { waitFor } from '../../support/wait';

/**
 * Connects one client after the other until `done()`, at most `limit` times and for 10 s at most; resolves
 * with the count. A server of the list is called once grpc-js has connected to it, which on a busy machine
 * can take longer than a burst of connects: the clients come 25 ms apart.
 */
async function connectUntil(gateway: GatewayProcess, done: () => boolean, limit = 200): Promise<number> {
  const deadline = Date.now() + 10_000;
  let count = 0;
  while (!done() && count < limit && Date.now() < deadline) {
    count += 1;
    const client = await rawClient(gateway.url, { headers: { cookie: `username=u${count}` } });
    await client.welcome();
    client.close();
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return count;
}

describe('--rpc_host=grpc-list://host1:port,host2:port', () => {
  let first: TestRpcServer;
  let second: TestRpcServer;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    [first, second] = await Promise.all([startRpcServer(), startRpcServer()]);
    gateway = await startGateway({ rpc_host: `grpc-list://127.0.0.1:${first.port},localhost:${second.port}` });
  });

  afterAll(async () => {
    await gateway?.stop();
    await Promise.all([first?.stop(), second?.stop()]);
  });

  it('spreads the calls over every server listed, host names and addresses alike', async () => {
    await connectUntil(gateway, () => first.calls.connect > 0 && second.calls.connect > 0);
    expect(first.calls.connect).toBeGreaterThan(0);
    expect(second.calls.connect).toBeGreaterThan(0);
  });

  it('keeps serving through the other server when one goes away', async () => {
    await second.stop();
    const before = first.calls.connect;
    const client = await rawClient(gateway.url, { headers: { cookie: 'username=survivor' } });
    await client.welcome();
    client.close();
    expect(first.calls.connect).toBe(before + 1);
  });
});

describe('--rpc_host=dns:///host:port', () => {
  it('reaches the server through the name resolver', async () => {
    const rpc = await startRpcServer();
    const gateway = await startGateway({ rpc_host: `dns:///localhost:${rpc.port}` });
    try {
      await connectUntil(gateway, () => rpc.calls.connect > 0, 1);
      await waitFor(() => rpc.calls.connect === 1, 'the Connect call');
    } finally {
      await gateway.stop();
      await rpc.stop();
    }
  });
});
