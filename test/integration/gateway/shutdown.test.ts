import { rawClient } from '../../support/clients';
import { startGateway } from '../../support/gateway';
import { startRpcServer, type TestRpcServer } from '../../support/rpc-server';

let rpc: TestRpcServer;

beforeAll(async () => {
  rpc = await startRpcServer();
});

afterAll(async () => {
  await rpc?.stop();
});

describe('graceful shutdown', () => {
  it('tells every client to reconnect, closes with 1001, makes the Disconnect calls and exits 0', async () => {
    const gateway = await startGateway({ rpc_host: rpc.address, disconnect_rate: 1 });
    const clients = await Promise.all(
      ['sd1', 'sd2', 'sd3'].map(async (user) => {
        const client = await rawClient(gateway.url, { headers: { cookie: `username=${user}` } });
        await client.welcome();
        return client;
      }),
    );
    const disconnectsBefore = rpc.calls.disconnect;
    const exitCode = await gateway.stop('SIGTERM');
    expect(exitCode).toBe(0);
    for (const client of clients) {
      expect(await client.closed).toBe(1001);
      expect(client.messages()).toContainEqual({ type: 'disconnect', reason: 'server_restart', reconnect: true });
    }
    // Made during shutdown without the rate limit (1 per second here would take 3 s).
    expect(rpc.calls.disconnect - disconnectsBefore).toBe(3);
    expect(gateway.output.some((line) => line.includes('shutdown complete'))).toBe(true);
  });

  it('answers health with 503 during shutdown_delay, then stops', async () => {
    const gateway = await startGateway({ rpc_host: rpc.address, shutdown_delay: 1 });
    const exited = gateway.stop('SIGTERM');
    await gateway.waitForOutput(/shutting down/);
    const response = await fetch(`${gateway.httpUrl}/health`);
    expect(response.status).toBe(503);
    expect(await exited).toBe(0);
  });

  it('exits at once on a second signal', async () => {
    const gateway = await startGateway({ rpc_host: rpc.address, shutdown_delay: 20 });
    void gateway.stop('SIGTERM');
    await gateway.waitForOutput(/shutting down/);
    expect(await gateway.stop('SIGINT')).toBe(1);
  });

  it('spreads the server_restart disconnects over the shutdown window with --shutdown_slowdrain', async () => {
    // Five sixths of a 6 s timeout: a 5 s drain window.
    const gateway = await startGateway({ norpc: true, noauth: true, shutdown_slowdrain: true, shutdown_timeout: 6 });
    const clients = await Promise.all(
      Array.from({ length: 200 }, async () => {
        const client = await rawClient(gateway.url);
        await client.welcome();
        return client;
      }),
    );
    const closedAt = clients.map((client) => client.closed.then(() => Date.now()));
    const exited = gateway.stop('SIGTERM');
    await gateway.waitForOutput(/Draining 200 active connections slowly for 5\.0s/);
    const times = await Promise.all(closedAt);
    expect(Math.max(...times) - Math.min(...times)).toBeGreaterThanOrEqual(3_000);
    for (const client of clients) {
      expect(client.closeCode).toBe(1001);
      expect(client.messages()).toContainEqual({ type: 'disconnect', reason: 'server_restart', reconnect: true });
    }
    expect(await exited).toBe(0);
  }, 30_000);
});
