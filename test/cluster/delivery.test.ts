import { createPublisher, type Publisher, type PublisherOptions } from '../../broadcaster/src/publisher/publisher';
import type { RedisConfig } from '../../shared/src/redis/options';
import { actionCableClient, anycableCable, type ActionCableClient } from '../support/clients';
import { metricValue, startGateway, type GatewayProcess } from '../support/gateway';
import { redisCli, startRedisServer, type RedisServer } from '../support/redis-server';
import { waitFor } from '../support/wait';

/**
 * Three node processes on one redis-server, clients of both libraries spread over them: every publication
 * reaches every subscriber of its stream exactly once, in order, whichever node it is on and whichever
 * way Rails published it. A node subscribes in Redis only to the streams it serves.
 */
const STREAMS = ['s0', 's1', 's2'];
/** Which streams each node's clients follow: every stream is missing on one node. */
const SERVED: readonly (readonly string[])[] = [
  ['s0', 's1'],
  ['s1', 's2'],
  ['s0', 's2'],
];
const PUBLICATIONS_PER_STREAM = 25;

interface Subscriber {
  readonly node: number;
  readonly stream: string;
  readonly received: unknown[];
  close(): void;
}

interface Scenario {
  readonly name: string;
  readonly flags: Readonly<Record<string, string | boolean>>;
  publisher(redisUrl: string, nodes: readonly GatewayProcess[]): PublisherOptions;
  /** The Redis channel that carries a stream to the nodes serving it; null when every node hears everything. */
  channelOf(stream: string): string;
}

const scenarios: readonly Scenario[] = [
  {
    name: 'redis (the anycable gem publishing on __anycable__)',
    flags: { broadcast_adapter: 'redis' },
    publisher: (url) => ({ transport: 'redis', redis: redisConfig(url) }),
    channelOf: (stream) => stream,
  },
  {
    name: 'redisx with redis pub/sub',
    flags: { broadcast_adapter: 'redisx', pubsub: 'redis' },
    publisher: (url) => ({ transport: 'redisx', redis: redisConfig(url) }),
    channelOf: (stream) => stream,
  },
  {
    name: 'http with redis pub/sub (posting to one node only)',
    flags: { broadcast_adapter: 'http', pubsub: 'redis' },
    publisher: (_url, nodes) => ({ transport: 'http', url: nodes[0]!.broadcastUrl }),
    channelOf: (stream) => stream,
  },
  {
    name: "actioncable (Rails' own Redis adapter, channel_prefix myapp)",
    flags: { broadcast_adapter: 'actioncable', actioncable_channel_prefix: 'myapp' },
    publisher: (url) => ({ transport: 'actioncable', redis: redisConfig(url), prefix: 'myapp' }),
    channelOf: (stream) => `myapp:${stream}`,
  },
];

function redisConfig(url: string): RedisConfig {
  return { urls: [url], sentinels: [], tls: { verify: false }, keepaliveMs: 30_000 };
}

/** Subscribes with @rails/actioncable on even nodes and @anycable/web on odd ones. */
async function follow(node: GatewayProcess, index: number, stream: string): Promise<Subscriber> {
  const received: unknown[] = [];
  if (index % 2 === 0) {
    const client: ActionCableClient = actionCableClient(node.url);
    const { recorder } = client.subscribe({ channel: '$pubsub', stream_name: stream });
    await recorder.confirmed();
    return { node: index, stream, received: recorder.received, close: () => client.close() };
  }
  const cable = anycableCable(node.url);
  const channel = cable.streamFrom(stream);
  channel.on('message', (message: unknown) => received.push(message));
  await channel.ensureSubscribed();
  return { node: index, stream, received, close: () => cable.disconnect() };
}

describe.each(scenarios.map((scenario) => [scenario.name, scenario] as const))('a 3-node cluster with %s', (_name, scenario) => {
  let redis: RedisServer;
  let nodes: GatewayProcess[];
  let subscribers: Subscriber[];
  let publisher: Publisher;

  beforeAll(async () => {
    redis = await startRedisServer();
    nodes = await Promise.all(
      [0, 1, 2].map((index) =>
        startGateway({
          public: true,
          redis_url: redis.url,
          node_id: `node${index}`,
          metrics_http: '/metrics',
          ...scenario.flags,
        }),
      ),
    );
    subscribers = [];
    for (const [index, streams] of SERVED.entries()) {
      for (const stream of streams)
        subscribers.push(await follow(nodes[index]!, index, stream), await follow(nodes[index]!, index, stream));
    }
    publisher = createPublisher(scenario.publisher(redis.url, nodes));
  }, 60_000);

  afterAll(async () => {
    for (const subscriber of subscribers ?? []) subscriber.close();
    await publisher?.close();
    await Promise.all((nodes ?? []).map((node) => node.stop()));
    await redis?.stop();
  });

  it('delivers every publication once to every subscriber on every node, in order per stream', async () => {
    for (let n = 0; n < PUBLICATIONS_PER_STREAM; n += 1) {
      for (const stream of STREAMS) await publisher.broadcast(stream, JSON.stringify({ stream, n }));
    }
    const expected = (stream: string) => Array.from({ length: PUBLICATIONS_PER_STREAM }, (_, n) => ({ stream, n }));
    for (const subscriber of subscribers) {
      await waitFor(
        () => subscriber.received.length >= PUBLICATIONS_PER_STREAM,
        `node${subscriber.node} ${subscriber.stream}`,
        20_000,
      );
    }
    // A last marker on every stream: once it is in, nothing else can still be on its way.
    for (const stream of STREAMS) await publisher.broadcast(stream, JSON.stringify('end'));
    for (const subscriber of subscribers) {
      await waitFor(() => subscriber.received.includes('end'), `the end marker on node${subscriber.node}`);
      expect(subscriber.received).toEqual([...expected(subscriber.stream), 'end']);
    }
  });

  it('has each node subscribed in Redis only to the channels of the streams it serves', async () => {
    for (const stream of STREAMS) {
      const reply = await redisCli(redis.port, 'PUBSUB', 'NUMSUB', scenario.channelOf(stream));
      expect(Number(reply.split('\n')[1])).toBe(2);
    }
    const unserved = await redisCli(redis.port, 'PUBSUB', 'NUMSUB', scenario.channelOf('nobody-follows-this'));
    expect(Number(unserved.split('\n')[1])).toBe(0);
  });

  it('unsubscribes a node from a stream channel when its last subscriber there leaves', async () => {
    for (const subscriber of subscribers.filter((candidate) => candidate.node === 0 && candidate.stream === 's0'))
      subscriber.close();
    await waitFor(async () => {
      const reply = await redisCli(redis.port, 'PUBSUB', 'NUMSUB', scenario.channelOf('s0'));
      return Number(reply.split('\n')[1]) === 1;
    }, 'node0 to leave s0');
  });

  if (scenario.flags.broadcast_adapter === 'redisx') {
    it('has each publication read from the stream by exactly one node', async () => {
      const counts = await Promise.all(nodes.map((node) => metricValue(node.httpUrl, 'cableway_publications_total')));
      expect(counts.reduce((sum, count) => sum + count, 0)).toBe(PUBLICATIONS_PER_STREAM * STREAMS.length + STREAMS.length);
    });
  }
});
