import { startRedisServer } from '../../support/redis-server';
import { waitFor } from '../../support/wait';
import { busConfig, FAST_TUNING, httpPost, natsConfig, redisConfig, startNode, type TestNode, useNatsServer } from './harness';
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

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('the nats pub/sub between nodes', () => {
  test('carries publications posted to node A to node B only while B serves their stream, in order', async () => {
    const [a, b] = (await nodesOn(nats.server.url, 'node-a', 'node-b')) as [TestNode, TestNode];
    await b.bus.subscribe('served');
    expect(httpPost(a, { stream: 'unserved', data: '"lost"' })).toBe(201);
    httpPost(a, { stream: 'served', data: '"first"' });
    httpPost(a, [
      { stream: 'served', data: '"second"' },
      { stream: 'served', data: '"third"' },
    ]);

    await waitFor(() => b.recorder.messages.length === 3, 'three deliveries on B');
    expect(b.recorder.dataOf('served')).toEqual(['"first"', '"second"', '"third"']);
    expect(a.recorder.messages).toEqual([]);
  });

  test('nets out subscribe and unsubscribe churn, within one event-loop turn and across turns', async () => {
    const [a] = (await nodesOn(nats.server.url, 'node-a')) as [TestNode];
    const first = a.bus.subscribe('x');
    a.bus.unsubscribe('x');
    const second = a.bus.subscribe('x');
    const dropped = a.bus.subscribe('y');
    a.bus.unsubscribe('y');
    await Promise.all([first, second, dropped]);
    for (let i = 0; i < 50; i += 1) {
      void a.bus.subscribe('w');
      a.bus.unsubscribe('w');
      await tick();
    }

    await waitFor(async () => (await subscriptions('w')) === 0, 'w unsubscribed');
    expect([await subscriptions('x'), await subscriptions('y')]).toEqual([1, 0]);
  });

  test('subscribes many streams requested together, each once, and acknowledges them after the server has them', async () => {
    const [a] = (await nodesOn(nats.server.url, 'node-a')) as [TestNode];
    await Promise.all(Array.from({ length: 600 }, (_, i) => a.bus.subscribe(`many.${i}`)));

    const subjects = await nats.server.subjects();
    expect(subjects.filter((subject) => subject.startsWith('many.'))).toHaveLength(600);
    expect(await a.metric('pubsub_subscribed_streams')).toBe(600);
  });

  test('carries a whisper to the other nodes, meta included, and counts and skips a malformed message', async () => {
    const [a, b] = (await nodesOn(nats.server.url, 'node-a', 'node-b')) as [TestNode, TestNode];
    await b.bus.subscribe('presence');
    nats.client.publish('presence', 'garbage');
    a.bus.publish({ stream: 'presence', data: '{"typing":true}', meta: { exclude_socket: 'sid-9', transient: true } });

    await waitFor(() => b.recorder.messages.length === 1, 'the whisper on B');
    expect(b.recorder.messages[0]).toEqual({
      stream: 'presence',
      data: '{"typing":true}',
      meta: { exclude_socket: 'sid-9', transient: true },
    });
    expect(await b.metric('failed_broadcast_msg_total')).toBe(1);
  });

  test('runs a remote command on every node, the one that received it included', async () => {
    const [a, b] = (await nodesOn(nats.server.url, 'node-a', 'node-b')) as [TestNode, TestNode];
    const command = { command: 'disconnect', payload: { identifier: 'user-1', reconnect: false } };
    httpPost(a, command);

    await waitFor(() => a.recorder.commands.length === 1 && b.recorder.commands.length === 1, 'the command on both nodes');
    expect([a.recorder.commands, b.recorder.commands]).toEqual([[command], [command]]);
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
