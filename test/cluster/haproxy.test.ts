import { rawClient, RawClient } from '../support/clients';
import { metricValue, postBroadcast, startGateway, type GatewayProcess } from '../support/gateway';
import { startHaproxy, type Haproxy } from '../support/haproxy';
import { startRedisServer, type RedisServer } from '../support/redis-server';
import { waitFor } from '../support/wait';

/**
 * Two nodes behind a real HAProxy running deploy/haproxy/haproxy.cfg (server addresses and bind ports
 * changed, nothing else; node3 keeps its name, which resolves nowhere here).
 */
const CLIENTS = 12;
const identifier = JSON.stringify({ channel: '$pubsub', stream_name: 'behind-haproxy' });

interface Cluster {
  redis: RedisServer;
  nodes: GatewayProcess[];
  haproxy: Haproxy;
}

/** Starts the cluster into `cluster`, part by part, so that whatever started is stopped after a failure. */
async function startCluster(cluster: Partial<Cluster>): Promise<void> {
  const redis = (cluster.redis = await startRedisServer());
  cluster.nodes = [];
  for (const index of [1, 2]) {
    cluster.nodes.push(
      await startGateway({
        public: true,
        redis_url: redis.url,
        node_id: `node${index}`,
        metrics_http: '/metrics',
        // Far above HAProxy's ~1.5 s to take a node out, for a loaded machine.
        shutdown_delay: 8,
      }),
    );
  }
  const [node1, node2] = cluster.nodes;
  cluster.haproxy = await startHaproxy({
    'node1:8080': `127.0.0.1:${node1!.port}`,
    'node2:8080': `127.0.0.1:${node2!.port}`,
    'node1:8090': `127.0.0.1:${node1!.broadcastPort}`,
    'node2:8090': `127.0.0.1:${node2!.broadcastPort}`,
  });
}

async function stopCluster(cluster: Partial<Cluster>): Promise<void> {
  await cluster.haproxy?.stop();
  await Promise.all((cluster.nodes ?? []).map((node) => node.stop()));
  await cluster.redis?.stop();
}

const SERVERS = ['nodes/node1', 'nodes/node2', 'broadcast_nodes/node1', 'broadcast_nodes/node2'];

function statusOf(status: Record<string, string>, servers = SERVERS): string[] {
  return servers.map((server) => status[server] ?? 'missing');
}

async function allUp(haproxy: Haproxy): Promise<void> {
  await waitFor(
    async () => statusOf(await haproxy.serverStatus()).every((status) => status === 'UP'),
    'HAProxy to see both nodes UP',
    20_000,
    100,
  );
}

/** A client through HAProxy, subscribed to one stream. */
async function subscribedThrough(haproxy: Haproxy): Promise<RawClient> {
  const client = await rawClient(`ws://127.0.0.1:${haproxy.port(8080)}/cable`);
  await client.welcome();
  client.send({ command: 'subscribe', identifier });
  await client.next((frame) => frame.type === 'confirm_subscription');
  return client;
}

function publishThrough(haproxy: Haproxy, data: string): Promise<number> {
  return postBroadcast(`http://127.0.0.1:${haproxy.port(8090)}/_broadcast`, {
    stream: 'behind-haproxy',
    data: JSON.stringify(data),
  });
}

describe('behind HAProxy with the deploy config', () => {
  const cluster: Partial<Cluster> = {};
  beforeAll(() => startCluster(cluster));
  afterAll(() => stopCluster(cluster));

  it('keeps both nodes UP through 10 s of health checks, with an unresolvable node3 left out', async () => {
    const haproxy = cluster.haproxy!;
    await allUp(haproxy);
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const status = await haproxy.serverStatus();
      expect(statusOf(status)).toEqual(['UP', 'UP', 'UP', 'UP']);
      expect(status['nodes/node3']).toMatch(/MAINT/);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  });

  it('carries WebSocket clients and HTTP broadcasts to the nodes', async () => {
    const client = await subscribedThrough(cluster.haproxy!);
    expect(await publishThrough(cluster.haproxy!, 'through haproxy')).toBe(201);
    await client.next((frame) => frame.message === 'through haproxy', 'the broadcast');
    client.close();
  });
});

/** A client that follows `server_restart` as the client libraries do: it reconnects (through HAProxy). */
class ReconnectingClient {
  current!: RawClient;
  restarts = 0;
  readonly failures: string[] = [];
  private reconnecting: Promise<void> | null = null;

  constructor(private readonly haproxy: Haproxy) {}

  async connect(): Promise<void> {
    const client = await subscribedThrough(this.haproxy);
    this.current = client;
    client.ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as { type?: string; reason?: string };
      if (frame.type !== 'disconnect' || frame.reason !== 'server_restart') return;
      this.restarts += 1;
      this.reconnecting = this.connect().catch((error: unknown) => {
        this.failures.push(String(error));
      });
    });
  }

  async settled(): Promise<void> {
    await this.reconnecting;
  }

  received(data: string): Promise<unknown> {
    return this.current.next((frame) => frame.message === data, `the message ${data}`, 15_000);
  }
}

describe('a node drained behind HAProxy', () => {
  const cluster: Partial<Cluster> = {};
  beforeAll(() => startCluster(cluster));
  afterAll(() => stopCluster(cluster));

  it('leaves the pool before its clients move over, and every client keeps receiving', async () => {
    const haproxy = cluster.haproxy!;
    const [draining, staying] = cluster.nodes!;
    await allUp(haproxy);
    const clients = Array.from({ length: CLIENTS }, () => new ReconnectingClient(haproxy));
    for (const client of clients) await client.connect();
    const onDraining = await metricValue(draining!.httpUrl, 'cableway_clients_num');
    expect(onDraining).toBeGreaterThan(0);
    expect(onDraining + (await metricValue(staying!.httpUrl, 'cableway_clients_num'))).toBe(CLIENTS);

    const exited = draining!.stop('SIGTERM');
    // HAProxy sees the 503s and takes the node out while no client has been told to leave yet.
    await waitFor(
      async () =>
        statusOf(await haproxy.serverStatus(), ['nodes/node1', 'broadcast_nodes/node1']).every((s) => s.startsWith('DOWN')),
      'HAProxy to take the draining node out',
      15_000,
      100,
    );
    expect(clients.reduce((sum, client) => sum + client.restarts, 0)).toBe(0);
    expect(statusOf(await haproxy.serverStatus(), ['nodes/node2', 'broadcast_nodes/node2'])).toEqual(['UP', 'UP']);

    expect(await exited).toBe(0);
    await waitFor(
      () => clients.reduce((sum, client) => sum + client.restarts, 0) === onDraining,
      'server_restart for each client',
    );
    for (const client of clients) await client.settled();
    expect(clients.flatMap((client) => client.failures)).toEqual([]);
    expect(await metricValue(staying!.httpUrl, 'cableway_clients_num')).toBe(CLIENTS);

    expect(await publishThrough(haproxy, 'after the drain')).toBe(201);
    await Promise.all(clients.map((client) => client.received('after the drain')));
    for (const client of clients) client.current.close();
  });
});
