import { startRedisServer } from '../../support/redis-server';
import { waitFor } from '../../support/wait';
import { busConfig, FAST_TUNING, natsConfig, redisConfig, startNode, type TestNode, useNatsServer } from './harness';
import { describePubSubBetweenNodes } from './pubsub-contract';
import { startSilencingProxy } from './tcp-proxy';

const nats = useNatsServer();

async function nodesOn(url: string, ...ids: string[]): Promise<TestNode[]> {
  const config = busConfig({ adapters: ['http', 'nats'], pubsub: 'nats', nats: natsConfig(url) });
  const started = await Promise.all(ids.map((id) => startNode(config, id, FAST_TUNING)));
  nats.nodes.push(...started);
  return started;
}

async function subscriptions(subject: string): Promise<number> {
  return (await nats.server.subjects()).filter((candidate) => candidate === subject).length;
}

describePubSubBetweenNodes('nats', {
  nodes: (...ids) => nodesOn(nats.server.url, ...ids),
  publishRaw: async (stream, text) => {
    nats.client.publish(stream, text);
    await nats.client.flush();
  },
  subscriptions,
});

describe('the nats pub/sub, on the wire', () => {
  test('subscribes many streams requested together, each once, and acknowledges them after the server has them', async () => {
    const [a] = (await nodesOn(nats.server.url, 'node-a')) as [TestNode];
    await Promise.all(Array.from({ length: 600 }, (_, i) => a.bus.subscribe(`many.${i}`)));

    const subjects = await nats.server.subjects();
    expect(subjects.filter((subject) => subject.startsWith('many.'))).toHaveLength(600);
    expect(await a.metric('pubsub_subscribed_streams')).toBe(600);
  });
});

describe('a silent NATS link', () => {
  test('is found by the client pings and reconnected, and its subscriptions come back', async () => {
    const proxy = await startSilencingProxy(nats.server.port);
    try {
      const [a] = (await nodesOn(`nats://127.0.0.1:${proxy.port}`, 'node-a')) as [TestNode];
      await a.bus.subscribe('quiet');
      proxy.silence();

      await waitFor(async () => (await a.metric('nats_reconnects_total')) > 0, 'a reconnect', 15_000);
      expect(a.bus.health()).toEqual({ degraded: [] });
      await waitFor(async () => {
        nats.client.publish('quiet', JSON.stringify({ stream: 'quiet', data: '"heard"' }));
        return a.recorder.dataOf('quiet').length > 0;
      }, 'the stream heard again');
    } finally {
      await proxy.close();
    }
  });
});

describe('health with Redis and NATS', () => {
  test('names each transport that is down, and each gauge follows its own transport', async () => {
    const redis = await startRedisServer();
    try {
      const config = busConfig({
        adapters: ['http', 'nats'],
        pubsub: 'redis',
        redis: redisConfig(redis.url),
        nats: natsConfig(nats.server.url),
      });
      const node = await startNode(config, 'both', FAST_TUNING);
      nats.nodes.push(node);
      expect(node.bus.health()).toEqual({ degraded: [] });

      await redis.kill();
      await waitFor(() => node.bus.health().degraded.includes('redis'), 'redis down');
      await nats.server.kill();
      await waitFor(() => node.bus.health().degraded.length === 2, 'both down');
      expect(node.bus.health()).toEqual({ degraded: ['redis', 'nats'] });
      expect([await node.metric('redis_connected'), await node.metric('nats_connected')]).toEqual([0, 0]);

      await nats.server.restart();
      await waitFor(() => !node.bus.health().degraded.includes('nats'), 'nats back', 15_000);
      expect(node.bus.health()).toEqual({ degraded: ['redis'] });
      expect([await node.metric('redis_connected'), await node.metric('nats_connected')]).toEqual([0, 1]);
    } finally {
      await redis.stop();
    }
  });
});
