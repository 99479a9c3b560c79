import WebSocket from 'ws';
import { resolveNatsConfig } from '../../broadcaster/src/nats/options';
import { createPublisher, type PublisherOptions } from '../../broadcaster/src/publisher/publisher';
import type { RedisConfig } from '../../shared/src/redis/options';
import { startGateway, type GatewayProcess } from '../support/gateway';
import { startNatsServer } from '../support/nats-server';
import { startRedisServer } from '../support/redis-server';
import { connectTimed, pool, subscribe, closeAll } from './load';
import { formatMs, printTable, summarize } from './stats';

const NODES = 3;
const STREAMS = 10;

/** Where a flow's nodes and publisher connect. */
interface Servers {
  readonly redisUrl: string;
  readonly redis: RedisConfig;
  readonly natsUrl: string;
  /** The broadcast endpoint of the first node. */
  readonly httpUrl: string;
}

interface Flow {
  readonly name: string;
  readonly flags: (servers: Servers) => Readonly<Record<string, string>>;
  readonly publisher: (servers: Servers) => PublisherOptions;
}

const flows: readonly Flow[] = [
  {
    name: 'redis (PUBLISH __anycable__)',
    flags: ({ redisUrl }) => ({ broadcast_adapter: 'redis', redis_url: redisUrl }),
    publisher: ({ redis }) => ({ transport: 'redis', redis }),
  },
  {
    name: 'redisx + redis pub/sub',
    flags: ({ redisUrl }) => ({ broadcast_adapter: 'redisx', pubsub: 'redis', redis_url: redisUrl }),
    publisher: ({ redis }) => ({ transport: 'redisx', redis }),
  },
  {
    name: 'actioncable (Rails adapter)',
    flags: ({ redisUrl }) => ({ broadcast_adapter: 'actioncable', actioncable_channel_prefix: 'app', redis_url: redisUrl }),
    publisher: ({ redis }) => ({ transport: 'actioncable', redis, prefix: 'app' }),
  },
  {
    name: 'nats (PUB __anycable__)',
    flags: ({ natsUrl }) => ({ broadcast_adapter: 'nats', nats_servers: natsUrl }),
    publisher: ({ natsUrl }) => ({
      transport: 'nats',
      nats: resolveNatsConfig({ nats_servers: natsUrl, nats_dont_randomize_servers: false }),
    }),
  },
  {
    name: 'http + redis pub/sub',
    flags: ({ redisUrl }) => ({ broadcast_adapter: 'http', pubsub: 'redis', redis_url: redisUrl }),
    publisher: ({ httpUrl }) => ({ transport: 'http', url: httpUrl }),
  },
  {
    name: 'http + nats pub/sub',
    flags: ({ natsUrl }) => ({ broadcast_adapter: 'http', pubsub: 'nats', nats_servers: natsUrl }),
    publisher: ({ httpUrl }) => ({ transport: 'http', url: httpUrl }),
  },
];

/** Counts deliveries on every client and records the latency of each. */
function collect(sockets: readonly WebSocket[], expectedPerClient: number): { done: Promise<void>; latencies: number[] } {
  const latencies: number[] = [];
  let remaining = sockets.length;
  const done = new Promise<void>((resolve) => {
    for (const ws of sockets) {
      let received = 0;
      ws.on('message', (data: WebSocket.RawData) => {
        const text = data.toString();
        const at = text.indexOf('"sent":');
        if (at < 0) return;
        latencies.push(performance.now() - parseFloat(text.slice(at + 7)));
        received += 1;
        if (received === expectedPerClient && --remaining === 0) resolve();
      });
    }
  });
  return { done, latencies };
}

/**
 * Publications per second through Redis or NATS to 3 node processes, and delivery latency from the publish call to
 * the client: `clientsPerNode` clients on each node, each following one of 10 streams.
 */
export async function benchCluster(publications: number, clientsPerNode: number): Promise<void> {
  const rows = [];
  for (const flow of flows) {
    const [redis, nats] = await Promise.all([startRedisServer(), startNatsServer()]);
    const config: RedisConfig = { urls: [redis.url], sentinels: [], tls: { verify: false }, keepaliveMs: 30_000 };
    const servers = { redisUrl: redis.url, redis: config, natsUrl: nats.url, httpUrl: '' };
    const nodes: GatewayProcess[] = await Promise.all(
      Array.from({ length: NODES }, (_, index) =>
        startGateway({ public: true, log_level: 'warn', node_id: `bench${index}`, ...flow.flags(servers) }),
      ),
    );
    const publisher = createPublisher(flow.publisher({ ...servers, httpUrl: nodes[0]!.broadcastUrl }));
    try {
      const total = NODES * clientsPerNode;
      const sockets = (await pool(total, 50, (i) => connectTimed(nodes[i % NODES]!.url))).map((result) => result.ws);
      await pool(total, 50, (i) =>
        subscribe(sockets[i]!, JSON.stringify({ channel: '$pubsub', stream_name: `bench-${i % STREAMS}` })),
      );
      const { done, latencies } = collect(sockets, publications / STREAMS);
      const started = performance.now();
      const inFlight: Promise<void>[] = [];
      for (let n = 0; n < publications; n += 1) {
        inFlight.push(publisher.broadcast(`bench-${n % STREAMS}`, JSON.stringify({ sent: performance.now(), n })));
        if (inFlight.length === 100) await Promise.all(inFlight.splice(0));
      }
      await Promise.all(inFlight);
      await done;
      const seconds = (performance.now() - started) / 1000;
      const latency = summarize(latencies);
      rows.push({
        flow: flow.name,
        publications,
        'publications/s': Math.round(publications / seconds).toLocaleString('en'),
        'deliveries/s': Math.round(latencies.length / seconds).toLocaleString('en'),
        'latency p50': formatMs(latency.p50),
        'latency p99': formatMs(latency.p99),
      });
      closeAll(sockets);
    } finally {
      await publisher.close();
      await Promise.all(nodes.map((node) => node.stop()));
      await Promise.all([redis.stop(), nats.stop()]);
    }
  }
  printTable(
    `Through Redis or NATS to ${NODES} nodes: ${publications} publications over ${STREAMS} streams, ${clientsPerNode} clients per node (each publication reaches ${(NODES * clientsPerNode) / STREAMS} clients)`,
    rows,
  );
}
