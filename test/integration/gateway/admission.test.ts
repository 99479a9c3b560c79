import { pubsubIdentifier, rawClient } from '../../support/clients';
import { metricValue, startGateway, type GatewayProcess } from '../../support/gateway';
import { startRedisServer, type RedisServer } from '../../support/redis-server';
import { rawWebSocket } from '../../support/raw-http';
import { restoredAfterDrop } from '../../support/restore';
import { startRpcServer, type TestRpcServer } from '../../support/rpc-server';
import { waitFor } from '../../support/wait';

/**
 * Sockets authenticated after their upgrade, by restoring a saved session from Redis or by a Connect
 * call: each must hear every frame its client sends, from the first. Restores run on a node fresh from
 * start, where the socket allocations that once left a restored socket deaf to its client happen.
 */
describe('sessions restored from Redis', () => {
  let redis: RedisServer;

  beforeAll(async () => {
    redis = await startRedisServer();
  });

  afterAll(async () => {
    await redis?.stop();
  });

  it('answers the first command of every restored session, restore after restore, node after node', async () => {
    for (let node = 0; node < 4; node += 1) {
      const gateway = await startGateway({ public: true, redis_url: redis.url, broker: 'redis', metrics_http: '/metrics' });
      try {
        for (let round = 0; round < 10; round += 1) {
          const stream = `restored-${node}-${round}`;
          const { client, position } = await restoredAfterDrop(gateway, stream, [1, 2, 3]);
          client.send({ command: 'history', identifier: pubsubIdentifier(stream), history: { streams: { [stream]: position } } });
          await client.next(
            (frame) => frame.type === 'confirm_history',
            `confirm_history on node ${node}, round ${round}`,
            5_000,
          );
          const missed = client.messages().filter((frame) => frame.message !== undefined);
          expect(missed.map((frame) => frame.message)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
          client.ws.terminate();
        }
      } finally {
        await gateway.stop();
      }
    }
  });
});

describe('sockets authenticated by a slow Connect call', () => {
  let rpc: TestRpcServer;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    rpc = await startRpcServer();
    gateway = await startGateway({ rpc_host: rpc.address, metrics_http: '/metrics' });
  });

  afterAll(async () => {
    await gateway?.stop();
    await rpc?.stop();
  });

  beforeEach(() => rpc.setDelay(300));
  afterEach(() => rpc.setDelay(0));

  it('handles frames sent before the welcome after it, in order', async () => {
    const client = await rawClient(gateway.url, { headers: { cookie: 'username=eager' } });
    const identifier = JSON.stringify({ channel: 'ChatChannel', room: 'eager' });
    client.send({ command: 'subscribe', identifier });
    client.send({ command: 'ping' });
    await client.next((frame) => frame.type === 'pong', 'the pong');
    expect(client.messages().map((frame) => frame.type)).toEqual(['welcome', 'confirm_subscription', 'pong']);
    client.close();
  });

  it('opens no session for a socket that closed while Connect was in flight', async () => {
    const callsBefore = { ...rpc.calls };
    const client = await rawClient(gateway.url, { headers: { cookie: 'username=gone' } });
    client.send({ command: 'subscribe', identifier: JSON.stringify({ channel: 'ChatChannel', room: 'gone' }) });
    client.close();
    await client.closed;
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(rpc.calls.connect).toBe(callsBefore.connect + 1);
    expect(rpc.calls.command).toBe(callsBefore.command);
    expect(await metricValue(gateway.httpUrl, 'cableway_clients_num')).toBe(0);
  });

  it('hears a client whose upgrade request says Connection: close', async () => {
    // uWS marks such a request's socket to be closed once answered; a socket upgraded later, from a
    // promise, kept that mark and went deaf. Upgraded within the handler, it is a WebSocket like any other.
    const client = await rawWebSocket(
      gateway.port,
      [
        'GET /cable HTTP/1.1',
        `Host: 127.0.0.1:${gateway.port}`,
        'Upgrade: websocket',
        'Connection: close',
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
        'Sec-WebSocket-Version: 13',
        'Sec-WebSocket-Protocol: actioncable-v1-json',
        'Cookie: username=closing',
        '',
        '',
      ].join('\r\n'),
    );
    await waitFor(() => client.texts.some((text) => text.includes('"welcome"')), 'the welcome');
    client.sendText(
      JSON.stringify({ command: 'subscribe', identifier: JSON.stringify({ channel: 'ChatChannel', room: 'closing' }) }),
    );
    await waitFor(() => client.texts.some((text) => text.includes('confirm_subscription')), 'the confirmation');
    client.destroy();
  });
});
