import { status } from '@grpc/grpc-js';
import { actionCableClient, rawClient } from '../../support/clients';
import { metricValue, startGateway, type GatewayProcess } from '../../support/gateway';
import { freePort } from '../../support/ports';
import { startRpcServer, type TestRpcServer } from '../../support/rpc-server';
import { waitFor } from '../../support/wait';

describe('with the RPC server down', () => {
  let gateway: GatewayProcess;

  beforeAll(async () => {
    gateway = await startGateway({ rpc_host: `127.0.0.1:${await freePort()}`, rpc_command_timeout: 500 });
  });

  afterAll(async () => {
    await gateway?.stop();
  });

  it('closes that client with 1011 and no frame, logs it, and keeps serving', async () => {
    const client = await rawClient(gateway.url, { headers: { cookie: 'username=x' } });
    expect(await client.closed).toBe(1011);
    expect(client.frames).toEqual([]);
    await gateway.waitForOutput(/connection could not be authenticated/);
    const again = await rawClient(gateway.url, { headers: { cookie: 'username=y' } });
    expect(await again.closed).toBe(1011);
    expect((await fetch(`${gateway.httpUrl}/health`)).status).toBe(200);
  });
});

describe('with a busy or slow RPC server', () => {
  let rpc: TestRpcServer;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    rpc = await startRpcServer();
    gateway = await startGateway({ rpc_host: rpc.address, metrics_http: '/metrics', rpc_concurrency: 2 });
  });

  afterAll(async () => {
    await gateway?.stop();
    await rpc?.stop();
  });

  afterEach(() => rpc.setDelay(0));

  it('retries Connect answered with ResourceExhausted and the client gets in', async () => {
    const retriesBefore = await metricValue(gateway.httpUrl, 'cableway_rpc_retries_total');
    const callsBefore = rpc.calls.connect;
    rpc.failNext('connect', 2, status.RESOURCE_EXHAUSTED);
    const client = await rawClient(gateway.url, { headers: { cookie: 'username=patient' } });
    await client.welcome();
    expect(rpc.calls.connect - callsBefore).toBe(3);
    expect(await metricValue(gateway.httpUrl, 'cableway_rpc_retries_total')).toBe(retriesBefore + 2);
    client.close();
  });

  it('keeps at most rpc_concurrency calls in flight and serves every client', async () => {
    rpc.setDelay(100);
    const clients = Array.from({ length: 6 }, (_, i) => actionCableClient(gateway.url, { cookie: `username=c${i}` }));
    const subscriptions = clients.map((client, i) => client.subscribe({ channel: 'ChatChannel', room: `busy${i}` }));
    await Promise.all(subscriptions.map(({ recorder }) => recorder.confirmed()));
    expect(rpc.peakInFlight).toBeLessThanOrEqual(2);
    for (const client of clients) client.close();
  });

  it('handles the commands of one connection in order while an RPC call is slow', async () => {
    const client = await rawClient(gateway.url, { headers: { cookie: 'username=ordered' } });
    await client.welcome();
    rpc.setDelay(150);
    const identifiers = ['a', 'b', 'c'].map((room) => JSON.stringify({ channel: 'ChatChannel', room: `ordered-${room}` }));
    for (const identifier of identifiers) client.send({ command: 'subscribe', identifier });
    client.send({ command: 'ping' });
    await client.next((frame) => frame.type === 'pong');
    const replies = client
      .messages()
      .filter((frame) => frame.type !== 'welcome')
      .map((frame) => frame.identifier ?? frame.type);
    expect(replies).toEqual([...identifiers, 'pong']);
    client.close();
  });

  it('cancels the calls of a client that left while they waited', async () => {
    rpc.setDelay(300);
    const canceledBefore = await metricValue(gateway.httpUrl, 'cableway_rpc_canceled_total');
    const blockers = await Promise.all(
      [1, 2].map(async (i) => {
        const blocker = await rawClient(gateway.url, { headers: { cookie: `username=blocker${i}` } });
        await blocker.welcome();
        return blocker;
      }),
    );
    const leaving = await rawClient(gateway.url, { headers: { cookie: 'username=leaving' } });
    await leaving.welcome();
    for (const blocker of blockers)
      blocker.send({ command: 'subscribe', identifier: JSON.stringify({ channel: 'ChatChannel', room: 'slow' }) });
    leaving.send({ command: 'subscribe', identifier: JSON.stringify({ channel: 'ChatChannel', room: 'never' }) });
    leaving.close();
    await waitFor(
      async () => (await metricValue(gateway.httpUrl, 'cableway_rpc_canceled_total')) > canceledBefore,
      'a canceled call',
    );
    for (const blocker of blockers) blocker.close();
  });
});
