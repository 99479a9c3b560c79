import { waitFor } from '../../support/wait';
import { busConfig, FAST_TUNING, httpPost, redisConfig, startNode, type TestNode, useRedisServer } from './harness';
import { startSilencingProxy, type SilencingProxy } from './tcp-proxy';

const redis = useRedisServer();

async function startNodes(url: string, ...ids: string[]): Promise<TestNode[]> {
  const config = busConfig({ adapters: ['http', 'redis'], pubsub: 'redis', redis: redisConfig(url) });
  const started = await Promise.all(ids.map((id) => startNode(config, id, FAST_TUNING)));
  redis.nodes.push(...started);
  return started;
}

function post(node: TestNode, stream: string, data: string): void {
  expect(httpPost(node, { stream, data })).toBe(201);
}

describe('a Redis crash', () => {
  test('turns health down and redis_connected to 0 until Redis is back, then re-subscribes and delivers again', async () => {
    const [a, b] = await startNodes(redis.server.url, 'node-a', 'node-b');
    await b!.bus.subscribe('live');
    expect(b!.bus.health()).toEqual({ degraded: [] });
    expect(await b!.metric('redis_connected')).toBe(1);

    await redis.server.kill();
    await waitFor(() => b!.bus.health().degraded.includes('redis'), 'health down');
    expect(await b!.metric('redis_connected')).toBe(0);
    await waitFor(() => a!.bus.health().degraded.includes('redis'), 'health down on the other node');

    await redis.server.restart();
    await waitFor(
      () => a!.bus.health().degraded.length === 0 && b!.bus.health().degraded.length === 0,
      'health up on both nodes',
      15_000,
    );
    expect(await b!.metric('redis_connected')).toBe(1);
    expect(await b!.metric('redis_reconnects_total')).toBeGreaterThan(0);
    await waitFor(async () => (await redis.client.pubsub('NUMSUB', 'live'))[1] === 1, 'the stream re-subscribed');

    post(a!, 'live', '"after"');
    await redis.client.publish('__anycable__', JSON.stringify({ stream: 'live', data: '"legacy"' }));
    await waitFor(() => b!.recorder.dataOf('live').length === 2, 'deliveries after recovery');
    expect(b!.recorder.dataOf('live').sort()).toEqual(['"after"', '"legacy"']);
  });

  test('leaves a subscribe made during the outage pending only for a bounded time, and applies it on reconnect', async () => {
    const [a] = await startNodes(redis.server.url, 'node-a');
    await redis.server.kill();
    await waitFor(() => a!.bus.health().degraded.includes('redis'), 'health down');

    const asked = Date.now();
    await a!.bus.subscribe('during-outage');
    expect(Date.now() - asked).toBeLessThan(2_000);
    await redis.server.restart();
    await waitFor(
      async () => (await redis.client.pubsub('NUMSUB', 'during-outage'))[1] === 1,
      'the subscription applied',
      15_000,
    );
  });
});

describe('a node started while Redis is down', () => {
  test('starts within a bounded time, reports down, and subscribes once Redis comes', async () => {
    await redis.server.kill();
    const asked = Date.now();
    const [a] = await startNodes(redis.server.url, 'node-a');
    expect(Date.now() - asked).toBeLessThan(3_000);
    expect(a!.bus.health()).toEqual({ degraded: ['redis'] });
    await a!.bus.subscribe('early');

    await redis.server.restart();
    await waitFor(async () => (await redis.client.pubsub('NUMSUB', 'early'))[1] === 1, 'the early subscription applied', 15_000);
    await waitFor(() => a!.bus.health().degraded.length === 0, 'health up');
  });
});

describe('the liveness probe', () => {
  let proxy: SilencingProxy;

  beforeEach(async () => {
    proxy = await startSilencingProxy(redis.server.port);
  });

  afterEach(async () => {
    await proxy.close();
  });

  test('reconnects a pub/sub link that went silent while its socket stayed open, and counts it', async () => {
    const [a] = await startNodes(proxy.url, 'node-a');
    await a!.bus.subscribe('quiet');
    proxy.silence();

    await waitFor(async () => (await a!.metric('redis_probe_failures_total')) > 0, 'a failed probe');
    await waitFor(() => a!.bus.health().degraded.length === 0, 'the link back up');
    await waitFor(async () => {
      await redis.client.publish('quiet', JSON.stringify({ stream: 'quiet', data: '"heard"' }));
      return a!.recorder.dataOf('quiet').length > 0;
    }, 'a delivery on the new connection');
    expect(a!.logs.some((line) => line.includes('probe got no echo'))).toBe(true);
  });
});
