import { waitFor } from '../../support/wait';
import { busConfig, httpPost, redisConfig, startNode, type TestNode, useRedisServer } from './harness';
import { describePubSubBetweenNodes } from './pubsub-contract';

const redis = useRedisServer();

async function nodes(...ids: string[]): Promise<TestNode[]> {
  const config = busConfig({ adapters: ['http'], pubsub: 'redis', redis: redisConfig(redis.server.url) });
  const started = await Promise.all(ids.map((id) => startNode(config, id)));
  redis.nodes.push(...started);
  // A node hears its channels once started; it relays HTTP broadcasts once its commands connection is ready too.
  await waitFor(() => started.every((node) => node.bus.health().degraded.length === 0), 'the nodes relaying');
  return started;
}

async function subscribers(channel: string): Promise<number> {
  const [, count] = (await redis.client.pubsub('NUMSUB', channel)) as [string, number];
  return count;
}

describePubSubBetweenNodes('redis', {
  nodes,
  publishRaw: async (stream, text) => void (await redis.client.publish(stream, text)),
  subscriptions: subscribers,
});

async function readsProcessed(): Promise<number> {
  return Number(/total_reads_processed:(\d+)/.exec(await redis.client.info('stats'))![1]);
}

async function subscribeCommandCount(): Promise<number> {
  const stats = await redis.client.info('commandstats');
  const match = /cmdstat_subscribe:calls=(\d+)/.exec(stats);
  return match ? Number(match[1]) : 0;
}

describe('the redis pub/sub, on the wire', () => {
  test('sends a batch of broadcasts to Redis in one write, not one per PUBLISH', async () => {
    const [a, b] = (await nodes('node-a', 'node-b')) as [TestNode, TestNode];
    await b.bus.subscribe('batch');
    const batch = Array.from({ length: 50 }, (_, index) => ({ stream: 'batch', data: String(index) }));
    const readsBefore = await readsProcessed();
    expect(httpPost(a, batch)).toBe(201);
    await waitFor(() => b.recorder.messages.length === 50, 'the whole batch on B');
    // Redis's own count of the reads it made from every client: the batch, and this test's INFO commands.
    expect((await readsProcessed()) - readsBefore).toBeLessThan(10);
    expect(b.recorder.dataOf('batch')).toEqual(batch.map((message) => message.data));
  });

  test('batches many subscriptions requested together into few SUBSCRIBE commands', async () => {
    const [a] = (await nodes('node-a')) as [TestNode];
    const before = await subscribeCommandCount();
    await Promise.all(Array.from({ length: 600 }, (_, i) => a.bus.subscribe(`many:${i}`)));

    expect(await subscribers('many:599')).toBe(1);
    expect((await subscribeCommandCount()) - before).toBe(3);
  });
});
