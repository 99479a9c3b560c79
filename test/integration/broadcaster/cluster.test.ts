import { createPublisher } from '../../../broadcaster/src/publisher/publisher';
import { keySlot } from '../../../shared/src/redis/slot';
import { redisCli, startRedisCluster, type RedisCluster } from '../../support/redis-server';
import { waitFor } from '../../support/wait';
import { busConfig, httpPost, redisConfig, startNode, type TestNode } from './harness';

let cluster: RedisCluster;
const nodes: TestNode[] = [];

beforeAll(async () => {
  cluster = await startRedisCluster(3);
}, 30_000);

afterEach(async () => {
  await Promise.all(nodes.splice(0).map((node) => node.bus.shutdown()));
});

afterAll(async () => {
  await cluster.stop();
});

async function twoNodes(): Promise<[TestNode, TestNode]> {
  const config = busConfig({ adapters: ['http'], pubsub: 'redis', redis: redisConfig(...cluster.urls) });
  const started = await Promise.all([startNode(config, 'node-a'), startNode(config, 'node-b')]);
  nodes.push(...started);
  return started;
}

/** Sharded channels each master holds (PUBSUB SHARDCHANNELS is answered per shard). */
async function shardChannels(): Promise<string[][]> {
  return Promise.all(
    cluster.servers.map(async (server) => {
      const output = await redisCli(server.port, 'PUBSUB', 'SHARDCHANNELS', 'room:*');
      return output === '' ? [] : output.split('\n');
    }),
  );
}

/** Whether a slot belongs to the master on `port`, from its own line of CLUSTER NODES. */
async function ownedSlots(port: number): Promise<(slot: number) => boolean> {
  const myself = (await redisCli(port, 'CLUSTER', 'NODES')).split('\n').find((line) => line.includes('myself'))!;
  const ranges = myself
    .split(' ')
    .slice(8)
    .map((range) => range.split('-').map(Number) as [number, number?]);
  return (slot) => ranges.some(([first, last = first]) => slot >= first && slot <= last);
}

describe('the redis pub/sub on a Redis Cluster', () => {
  test('delivers a publication posted to node A to node B through sharded pub/sub', async () => {
    const [a, b] = await twoNodes();
    await b.bus.subscribe('room:1');
    for (const n of [1, 2, 3]) {
      expect(httpPost(a, { stream: 'room:1', data: String(n) })).toBe(201);
    }

    await waitFor(() => b.recorder.messages.length === 3, 'three deliveries on B');
    expect(b.recorder.dataOf('room:1')).toEqual(['1', '2', '3']);
  });

  test('spreads the streams over the shards, each on the master that owns its slot', async () => {
    const [, b] = await twoNodes();
    const streams = Array.from({ length: 12 }, (_, i) => `room:${i}`);
    await Promise.all(streams.map((stream) => b.bus.subscribe(stream)));

    const perShard = await shardChannels();
    expect(perShard.flat().sort()).toEqual([...streams].sort());
    expect(perShard.filter((channels) => channels.length > 0).length).toBe(3);
    for (const [index, channels] of perShard.entries()) {
      const owned = await ownedSlots(cluster.servers[index]!.port);
      for (const channel of channels) expect(owned(keySlot(channel))).toBe(true);
    }
  });

  test('runs a remote command on every node over the sharded internal channel', async () => {
    const [a, b] = await twoNodes();
    const command = { command: 'disconnect', payload: { identifier: 'u1', reconnect: true } };
    expect(httpPost(a, command)).toBe(201);

    await waitFor(() => a.recorder.commands.length === 1 && b.recorder.commands.length === 1, 'the command on both nodes');
    expect([a.recorder.commands, b.recorder.commands]).toEqual([[command], [command]]);
  });

  test('unsubscribes a stream from its shard after the last local subscriber leaves', async () => {
    const [, b] = await twoNodes();
    await b.bus.subscribe('room:left');
    expect((await shardChannels()).flat()).toContain('room:left');

    b.bus.unsubscribe('room:left');
    await waitFor(async () => !(await shardChannels()).flat().includes('room:left'), 'room:left unsubscribed');
  });

  test('hears the plain PUBLISH of the legacy redis and Action Cable inputs with a plain SUBSCRIBE', async () => {
    const config = busConfig({ adapters: ['redis', 'actioncable'], redis: redisConfig(...cluster.urls) });
    const node = await startNode(config, 'node-c');
    nodes.push(node);
    await node.bus.subscribe('chat');
    for (const transport of ['redis', 'actioncable'] as const) {
      const publisher = createPublisher({ transport, redis: redisConfig(cluster.urls[1]!) });
      await publisher.broadcast('chat', JSON.stringify(transport));
      await publisher.close();
    }

    await waitFor(() => node.recorder.messages.length === 2, 'both deliveries');
    expect(node.recorder.dataOf('chat').sort()).toEqual(['"actioncable"', '"redis"']);
  });
});
