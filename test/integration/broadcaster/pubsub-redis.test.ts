import { waitFor } from '../../support/wait';
import { busConfig, httpPost, redisConfig, startNode, type TestNode, useRedisServer } from './harness';

const redis = useRedisServer();

async function twoNodes(): Promise<[TestNode, TestNode]> {
  const config = busConfig({ adapters: ['http'], pubsub: 'redis', redis: redisConfig(redis.server.url) });
  const started = await Promise.all([startNode(config, 'node-a'), startNode(config, 'node-b')]);
  redis.nodes.push(...started);
  // A node hears its channels once started; it relays HTTP broadcasts once its commands connection is ready too.
  await waitFor(() => started.every((node) => node.bus.health().degraded.length === 0), 'both nodes relaying');
  return started;
}

function post(node: TestNode, body: unknown): void {
  expect(httpPost(node, body)).toBe(201);
}

async function subscribers(channel: string): Promise<number> {
  const [, count] = (await redis.client.pubsub('NUMSUB', channel)) as [string, number];
  return count;
}

async function readsProcessed(): Promise<number> {
  return Number(/total_reads_processed:(\d+)/.exec(await redis.client.info('stats'))![1]);
}

describe('the redis pub/sub between nodes', () => {
  test('carries a publication posted to node A to node B only while B serves its stream', async () => {
    const [a, b] = await twoNodes();
    await b.bus.subscribe('served');
    post(a, { stream: 'unserved', data: '"lost"' });
    post(a, { stream: 'served', data: '"first"' });
    post(a, [
      { stream: 'served', data: '"second"' },
      { stream: 'served', data: '"third"' },
    ]);

    await waitFor(() => b.recorder.messages.length === 3, 'three deliveries on B');
    expect(b.recorder.dataOf('served')).toEqual(['"first"', '"second"', '"third"']);
    expect(a.recorder.messages).toEqual([]);
  });

  test('sends a batch of broadcasts to Redis in one write, not one per PUBLISH', async () => {
    const [a, b] = await twoNodes();
    await b.bus.subscribe('batch');
    const batch = Array.from({ length: 50 }, (_, index) => ({ stream: 'batch', data: String(index) }));
    const readsBefore = await readsProcessed();
    post(a, batch);
    await waitFor(() => b.recorder.messages.length === 50, 'the whole batch on B');
    // Redis's own count of the reads it made from every client: the batch, and this test's INFO commands.
    expect((await readsProcessed()) - readsBefore).toBeLessThan(10);
    expect(b.recorder.dataOf('batch')).toEqual(batch.map((message) => message.data));
  });

  test('subscribes a node only to the channels of the streams it serves, and unsubscribes after the last leaves', async () => {
    const [a, b] = await twoNodes();
    await a.bus.subscribe('room:1');
    await b.bus.subscribe('room:1');
    await b.bus.subscribe('room:2');

    expect(await redis.client.pubsub('CHANNELS', 'room:*')).toEqual(expect.arrayContaining(['room:1', 'room:2']));
    expect(await subscribers('room:1')).toBe(2);
    expect(await subscribers('room:2')).toBe(1);
    expect(await b.metric('pubsub_subscribed_streams')).toBe(2);

    b.bus.unsubscribe('room:2');
    b.bus.unsubscribe('room:1');
    await waitFor(async () => (await subscribers('room:2')) === 0, 'room:2 unsubscribed');
    expect(await subscribers('room:1')).toBe(1);
    expect(await b.metric('pubsub_subscribed_streams')).toBe(0);
  });

  test('nets out subscribe and unsubscribe churn, within one event-loop turn and across turns', async () => {
    const [a] = await twoNodes();
    const first = a.bus.subscribe('x');
    a.bus.unsubscribe('x');
    const second = a.bus.subscribe('x');
    const dropped = a.bus.subscribe('y');
    a.bus.unsubscribe('y');
    await Promise.all([first, second, dropped]);

    const racing = a.bus.subscribe('z');
    await new Promise((resolve) => setImmediate(resolve));
    a.bus.unsubscribe('z');
    await new Promise((resolve) => setImmediate(resolve));
    const again = a.bus.subscribe('z');
    await Promise.all([racing, again]);
    for (let i = 0; i < 50; i += 1) {
      void a.bus.subscribe('w');
      a.bus.unsubscribe('w');
      await new Promise((resolve) => setImmediate(resolve));
    }

    await waitFor(async () => (await subscribers('w')) === 0, 'w unsubscribed');
    expect([await subscribers('x'), await subscribers('y'), await subscribers('z')]).toEqual([1, 0, 1]);
  });

  test('batches many subscriptions requested together into few SUBSCRIBE commands', async () => {
    const [a] = await twoNodes();
    const before = await subscribeCommandCount();
    await Promise.all(Array.from({ length: 600 }, (_, i) => a.bus.subscribe(`many:${i}`)));

    expect(await subscribers('many:599')).toBe(1);
    expect((await subscribeCommandCount()) - before).toBe(3);
  });

  test('runs a remote command on every node, the one that received it included', async () => {
    const [a, b] = await twoNodes();
    post(a, { command: 'disconnect', payload: { identifier: 'user-1', reconnect: false } });

    const command = { command: 'disconnect', payload: { identifier: 'user-1', reconnect: false } };
    await waitFor(() => a.recorder.commands.length === 1 && b.recorder.commands.length === 1, 'the command on both nodes');
    expect([a.recorder.commands, b.recorder.commands]).toEqual([[command], [command]]);
  });

  test('carries a message published by the gateway (a whisper) to the other nodes, meta included', async () => {
    const [a, b] = await twoNodes();
    await b.bus.subscribe('presence');
    a.bus.publish({ stream: 'presence', data: '{"typing":true}', meta: { exclude_socket: 'sid-9', transient: true } });

    await waitFor(() => b.recorder.messages.length === 1, 'the whisper on B');
    expect(b.recorder.messages[0]).toEqual({
      stream: 'presence',
      data: '{"typing":true}',
      meta: { exclude_socket: 'sid-9', transient: true },
    });
  });

  test('counts and skips a malformed message on a stream channel', async () => {
    const [, b] = await twoNodes();
    await b.bus.subscribe('s');
    await redis.client.publish('s', 'garbage');
    await redis.client.publish('s', JSON.stringify({ stream: 's', data: '1' }));

    await waitFor(() => b.recorder.messages.length === 1, 'the good message');
    expect(await b.metric('failed_broadcast_msg_total')).toBe(1);
  });
});

async function subscribeCommandCount(): Promise<number> {
  const stats = await redis.client.info('commandstats');
  const match = /cmdstat_subscribe:calls=(\d+)/.exec(stats);
  return match ? Number(match[1]) : 0;
}
