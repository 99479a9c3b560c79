import { createPublisher } from '../../broadcaster/src/publisher/publisher';
import { EXTENDED_PROTOCOLS, pubsubIdentifier, pubsubSubscriber, rawClient, type RawClient } from '../support/clients';
import { metricValue, postBroadcast, startGateway, type Flags, type GatewayProcess } from '../support/gateway';
import {
  redisCli,
  startRedisCluster,
  startRedisSentinel,
  startRedisServer,
  type RedisCluster,
  type RedisServer,
} from '../support/redis-server';
import { waitFor } from '../support/wait';

/** What a cluster of nodes must survive, and do across nodes: Redis outages, remote commands, whispers. */
const follow = pubsubIdentifier;

const subscribed = (node: GatewayProcess, stream: string, headers?: Record<string, string>): Promise<RawClient> =>
  pubsubSubscriber(node.url, stream, headers);

function receives(client: RawClient, data: string): Promise<Record<string, unknown>> {
  return client.next((frame) => frame.message === data, `the message ${data}`, 15_000);
}

interface NodesOnRedis {
  readonly redis: RedisServer;
  readonly nodes: GatewayProcess[];
}

/** For one describe block: a redis-server and `count` node processes on it, each with `flags` and a node id. */
function useNodesOnRedis(count: number, name: string, flags: Flags): NodesOnRedis {
  const fixture = {} as { redis: RedisServer; nodes: GatewayProcess[] };
  beforeAll(async () => {
    fixture.redis = await startRedisServer();
    fixture.nodes = await Promise.all(
      Array.from({ length: count }, (_, index) =>
        startGateway({ public: true, redis_url: fixture.redis.url, node_id: `${name}${index}`, ...flags }),
      ),
    );
  });
  afterAll(async () => {
    await Promise.all((fixture.nodes ?? []).map((node) => node.stop()));
    await fixture.redis?.stop();
  });
  return fixture;
}

async function health(node: GatewayProcess): Promise<{ status: number; body: string }> {
  const response = await fetch(`${node.httpUrl}/health`);
  return { status: response.status, body: await response.text() };
}

describe('a Redis outage', () => {
  const group = useNodesOnRedis(2, 'out', { metrics_http: '/metrics' });

  it('keeps nodes up and clients connected, reports it while it lasts, and delivers again after recovery', async () => {
    const [first, second] = group.nodes as [GatewayProcess, GatewayProcess];
    const client = await subscribed(second, 'outage');
    await postBroadcast(first.broadcastUrl, { stream: 'outage', data: '"before"' });
    await receives(client, 'before');

    await group.redis.kill();
    await waitFor(async () => (await health(second)).body === 'degraded: redis', 'health to report the outage');
    expect((await health(second)).status).toBe(200);
    expect(await metricValue(second.httpUrl, 'cableway_redis_connected')).toBe(0);
    expect(await postBroadcast(first.broadcastUrl, { stream: 'outage', data: '"lost"' })).toBe(503);
    client.send({ command: 'ping' });
    await client.next((frame) => frame.type === 'pong');

    await group.redis.restart();
    await waitFor(async () => (await health(second)).body === 'Ok', 'health to recover', 20_000);
    expect(await metricValue(second.httpUrl, 'cableway_redis_connected')).toBe(1);
    await waitFor(
      async () => {
        await postBroadcast(first.broadcastUrl, { stream: 'outage', data: '"after"' });
        return client.messages().some((frame) => frame.message === 'after');
      },
      'a broadcast after recovery',
      15_000,
    );
    expect(client.closeCode).toBeNull();
    client.close();
  }, 60_000);
});

describe('remote commands and whispers across nodes', () => {
  const group = useNodesOnRedis(3, 'cmd', {
    streams_whisper: true,
    broadcast_adapter: 'http,redis',
    metrics_http: '/metrics',
  });

  it('closes every connection of the identifiers on every node with a remote disconnect', async () => {
    const sids = ['rd-1', 'rd-2', 'rd-3'];
    const targets = await Promise.all(
      group.nodes.map(async (node, index) => {
        const client = await rawClient(node.url, { headers: { 'x-request-id': sids[index]! } });
        await client.welcome();
        return client;
      }),
    );
    const bystander = await subscribed(group.nodes[1]!, 'bystander');
    // noauth identifiers are {"sid":…}; all three nodes get the command, only the matching sessions close.
    for (const sid of sids) {
      await postBroadcast(group.nodes[0]!.broadcastUrl, {
        command: 'disconnect',
        payload: { identifier: JSON.stringify({ sid }), reconnect: true },
      });
    }
    for (const client of targets) {
      expect(await client.closed).toBe(1000);
      expect(client.messages()).toContainEqual({ type: 'disconnect', reason: 'remote', reconnect: true });
    }
    await postBroadcast(group.nodes[2]!.broadcastUrl, { stream: 'bystander', data: '"still here"' });
    await receives(bystander, 'still here');
    bystander.close();
  });

  it('sends a whisper to the stream subscribers on other nodes, not back to the sender', async () => {
    const sender = await subscribed(group.nodes[0]!, 'typing');
    const receiver = await subscribed(group.nodes[2]!, 'typing');
    sender.send({ command: 'whisper', identifier: follow('typing'), data: { event: 'typing', user: 'ann' } });
    const frame = await receiver.next(
      (candidate) => candidate.identifier === follow('typing') && candidate.message !== undefined,
      'the whisper',
    );
    expect(frame.message).toEqual({ event: 'typing', user: 'ann' });
    await postBroadcast(group.nodes[1]!.broadcastUrl, { stream: 'typing', data: '"marker"' });
    await receives(sender, 'marker');
    expect(sender.messages().some((candidate) => (candidate.message as { event?: string } | undefined)?.event === 'typing')).toBe(
      false,
    );
    sender.close();
    receiver.close();
  });

  it('counts and skips a malformed publication on the redis channel, and delivers the next one', async () => {
    const client = await subscribed(group.nodes[1]!, 'after-garbage');
    const failedBefore = await metricValue(group.nodes[1]!.httpUrl, 'cableway_failed_broadcast_msg_total');
    await redisCli(group.redis.port, 'PUBLISH', '__anycable__', '{"stream":');
    await redisCli(group.redis.port, 'PUBLISH', '__anycable__', JSON.stringify({ stream: 'after-garbage', data: '"fine"' }));
    await receives(client, 'fine');
    expect(await metricValue(group.nodes[1]!.httpUrl, 'cableway_failed_broadcast_msg_total')).toBe(failedBefore + 1);
    client.close();
  });
});

describe('a Redis Cluster', () => {
  let cluster: RedisCluster;
  let nodes: GatewayProcess[];

  beforeAll(async () => {
    cluster = await startRedisCluster(3);
    nodes = await Promise.all(
      [0, 1, 2].map((index) =>
        startGateway({
          public: true,
          redis_url: cluster.urls.join(','),
          broadcast_adapter: 'http',
          broker: 'redis',
          node_id: `rc${index}`,
        }),
      ),
    );
  }, 60_000);

  afterAll(async () => {
    await Promise.all((nodes ?? []).map((node) => node.stop()));
    await cluster?.stop();
  });

  it('carries streams between nodes with sharded pub/sub, each stream on one shard', async () => {
    const streams = Array.from({ length: 12 }, (_, i) => `sharded-${i}`);
    const clients = await Promise.all(streams.map((stream, i) => subscribed(nodes[1 + (i % 2)]!, stream)));
    for (const stream of streams) await postBroadcast(nodes[0]!.broadcastUrl, { stream, data: JSON.stringify(stream) });
    await Promise.all(clients.map((client, i) => receives(client, streams[i]!)));
    const shardsServing = await Promise.all(
      cluster.servers.map(async (server) =>
        (await redisCli(server.port, 'PUBSUB', 'SHARDCHANNELS', 'sharded-*')).split('\n').filter(Boolean),
      ),
    );
    expect(shardsServing.flat().sort()).toEqual([...streams].sort());
    expect(shardsServing.filter((channels) => channels.length > 0).length).toBeGreaterThan(1);
    for (const client of clients) client.close();
  }, 30_000);

  it('keeps each stream history on its own shard: every message positioned once, in order, and read back on another node', async () => {
    const since = Math.floor(Date.now() / 1000) - 1;
    const streams = Array.from({ length: 6 }, (_, i) => `history-${i}`);
    const live = await Promise.all(streams.map((stream) => extendedSubscriber(nodes[1]!, stream)));
    // A batch, so that each node's commands to the shards go out together.
    const batch = streams.flatMap((stream) => [1, 2, 3].map((n) => ({ stream, data: JSON.stringify(`${stream}/${n}`) })));
    await postBroadcast(nodes[0]!.broadcastUrl, batch);
    const positioned = (client: RawClient) =>
      client
        .messages()
        .filter((frame) => frame.message !== undefined)
        .map((frame) => `${String(frame.offset)}:${String(frame.message)}`);
    for (const [i, client] of live.entries()) {
      await waitFor(() => positioned(client).length === 3, `three messages of ${streams[i]}`, 15_000);
      expect(positioned(client)).toEqual([1, 2, 3].map((n) => `${n}:${streams[i]}/${n}`));
    }

    const late = await Promise.all(
      streams.map(async (stream) => {
        const client = await rawClient(nodes[2]!.url, { protocols: EXTENDED_PROTOCOLS });
        await client.welcome();
        client.send({ command: 'subscribe', identifier: follow(stream), history: { since } });
        await client.next((frame) => frame.type === 'confirm_history', `confirm_history of ${stream}`);
        return client;
      }),
    );
    expect(late.map(positioned)).toEqual(live.map(positioned));
    const shardsHolding = await Promise.all(
      cluster.servers.map(async (server) => (await redisCli(server.port, 'KEYS', 'cableway:history:{history-*}')) !== ''),
    );
    expect(shardsHolding.filter(Boolean).length).toBeGreaterThan(1);
    for (const client of [...live, ...late]) client.close();
  }, 30_000);
});

async function extendedSubscriber(node: GatewayProcess, stream: string): Promise<RawClient> {
  const client = await rawClient(node.url, { protocols: EXTENDED_PROTOCOLS });
  await client.welcome();
  client.send({ command: 'subscribe', identifier: follow(stream) });
  await client.next((frame) => frame.type === 'confirm_subscription', `confirmation of ${stream}`);
  return client;
}

describe('the redisx reader', () => {
  const group = useNodesOnRedis(3, 'rx', { broadcast_adapter: 'redisx' });

  it('moves to another node when the reading node dies, and nothing published meanwhile is lost', async () => {
    const isReader = (node: GatewayProcess) => node.output.some((line) => line.includes('redisx: this node reads the stream'));
    const reader = await waitFor(() => group.nodes.find(isReader), 'a node to read the stream');
    const survivor = group.nodes.find((node) => node !== reader)!;
    const client = await subscribed(survivor, 'failover');
    const publisher = createPublisher({
      transport: 'redisx',
      redis: { urls: [group.redis.url], sentinels: [], tls: { verify: false }, keepaliveMs: 0 },
    });
    try {
      await publisher.broadcast('failover', '"before"');
      await receives(client, 'before');
      await reader.stop('SIGKILL');
      await publisher.broadcast('failover', '"while no node reads"');
      await receives(client, 'while no node reads');
      expect(group.nodes.filter((node) => node !== reader && isReader(node))).toHaveLength(1);
    } finally {
      await publisher.close();
      client.close();
    }
  }, 30_000);
});

describe('Redis behind Sentinel', () => {
  it('finds the master through the sentinels and carries broadcasts between nodes', async () => {
    const master = await startRedisServer();
    const sentinel = await startRedisSentinel(master, 'cablemaster');
    const flags = { public: true, redis_url: 'redis://cablemaster', redis_sentinels: `127.0.0.1:${sentinel.port}` };
    const nodes = await Promise.all([startGateway({ ...flags, node_id: 'st0' }), startGateway({ ...flags, node_id: 'st1' })]);
    try {
      const client = await subscribed(nodes[1]!, 'through-sentinel');
      await postBroadcast(nodes[0]!.broadcastUrl, { stream: 'through-sentinel', data: '"found"' });
      await receives(client, 'found');
      expect(Number((await redisCli(master.port, 'PUBSUB', 'NUMSUB', 'through-sentinel')).split('\n')[1])).toBe(1);
      client.close();
    } finally {
      await Promise.all(nodes.map((node) => node.stop()));
      await sentinel.stop();
      await master.stop();
    }
  }, 30_000);
});
