import { status } from '@grpc/grpc-js';
import { signStreamName } from '../../shared/src/message-verifier';
import { issueIdentificationToken } from '../../shared/src/tokens';
import { EXTENDED_PROTOCOLS, rawClient, type RawClient } from './clients';
import { metricValue, postBroadcast, startGateway, type GatewayProcess } from './gateway';
import { startRedisServer, type RedisServer } from './redis-server';
import { startRpcServer, type TestRpcServer } from './rpc-server';
import { waitFor } from './wait';

/**
 * A node with Redis (its broker too) and a Rails-like RPC server, and a short scripted day in its life that
 * moves every panel of the dashboard: JWT and RPC connects, signed and RPC subscribes, broadcasts,
 * extended-protocol clients (history, presence, a restored session), bad input, an RPC retry and an error,
 * a slow client and a Redis restart.
 */
export const SECRET = 'dashboard-secret';
const BROADCAST_KEY = 'dashboard-broadcast-key';
const MAX_MESSAGE_SIZE = 4096;

export interface WorkloadNode {
  readonly redis: RedisServer;
  readonly rpc: TestRpcServer;
  readonly gateway: GatewayProcess;
  /** `host:port` to scrape. */
  readonly target: string;
  stop(): Promise<void>;
}

export async function startWorkloadNode(): Promise<WorkloadNode> {
  const redis = await startRedisServer();
  const rpc = await startRpcServer();
  const gateway = await startGateway({
    redis_url: redis.url,
    broker: 'redis',
    rpc_host: rpc.address,
    metrics_http: '/metrics',
    secret: SECRET,
    broadcast_key: BROADCAST_KEY,
    turbo_streams: true,
    max_message_size: MAX_MESSAGE_SIZE,
    ws_max_pending_size: 65536,
    log_level: 'warn',
  });
  return {
    redis,
    rpc,
    gateway,
    target: `127.0.0.1:${gateway.port}`,
    async stop() {
      await gateway.stop();
      await rpc.stop();
      await redis.stop();
    },
  };
}

/** What the workload does at each stage, so that a caller can check the monitoring meanwhile. */
export interface WorkloadOptions {
  /** Called while Redis is down and the node has noticed. */
  readonly whileRedisIsDown?: () => Promise<void>;
  /** How long each of the two broadcast phases lasts (3 s: rates over several scrapes). */
  readonly broadcastMs?: number;
}

export interface WorkloadResult {
  /** Clients still connected at the end; `close()` them. */
  readonly clients: readonly RawClient[];
  close(): void;
}

async function subscribe(client: RawClient, identifier: string): Promise<void> {
  client.send({ command: 'subscribe', identifier });
  await client.next(
    (frame) => frame.type === 'confirm_subscription' && frame.identifier === identifier,
    `confirm of ${identifier}`,
  );
}

const SIGNED_STREAM = 'dashboard/signed';
const signedIdentifier = JSON.stringify({ channel: '$pubsub', signed_stream_name: signStreamName(SIGNED_STREAM, SECRET) });
const chatIdentifier = JSON.stringify({ channel: 'ChatChannel', room: 'dashboard' });

async function connectWithJwt(node: WorkloadNode, user: string): Promise<RawClient> {
  const token = await issueIdentificationToken({ user }, SECRET);
  const client = await rawClient(`${node.gateway.url}?jid=${token}`);
  await client.welcome();
  await subscribe(client, signedIdentifier);
  return client;
}

async function connectWithRpc(node: WorkloadNode, user: string): Promise<RawClient> {
  const client = await rawClient(node.gateway.url, { headers: { cookie: `username=${user}` } });
  await client.welcome();
  await subscribe(client, chatIdentifier);
  return client;
}

/**
 * Extended-protocol clients: a subscribe that asks for history, a history request the stream cannot
 * prove (unknown epoch), a presence join, and a session dropped and restored by its sid with no RPC.
 */
async function extendedClients(node: WorkloadNode): Promise<RawClient> {
  const token = await issueIdentificationToken({ user: 'ext' }, SECRET);
  const first = await rawClient(`${node.gateway.url}?jid=${token}`, { protocols: EXTENDED_PROTOCOLS });
  const { sid } = await first.welcome();
  first.send({ command: 'subscribe', identifier: signedIdentifier, history: { since: 1 } });
  await first.next((frame) => frame.type === 'confirm_subscription', 'confirm of the extended subscribe');
  first.send({
    command: 'history',
    identifier: signedIdentifier,
    history: { streams: { [SIGNED_STREAM]: { epoch: 'unknown-epoch', offset: 1 } } },
  });
  await first.next((frame) => frame.type === 'reject_history', 'reject_history');
  first.send({ command: 'join', identifier: signedIdentifier, presence: { id: 'ext-user', info: { name: 'Ext' } } });
  await first.next((frame) => frame.type === 'presence', 'the join event');
  first.ws.terminate();
  await first.closed;
  const restored = await waitFor(
    async () => {
      const again = await rawClient(`${node.gateway.url}?jid=${token}&sid=${sid as string}`, { protocols: EXTENDED_PROTOCOLS });
      if ((await again.welcome()).restored === true) return again;
      again.close();
      return undefined;
    },
    'the restored session',
    10_000,
  );
  // Present again (a dropped socket's presence is not restored), for the broadcast rounds that follow.
  restored.send({ command: 'join', identifier: signedIdentifier, presence: { id: 'ext-user', info: { name: 'Ext' } } });
  await waitFor(async () => (await metricValue(node.gateway.httpUrl, 'cableway_presence_sessions_num')) === 1, 'presence');
  return restored;
}

let rounds = 0;

/** Broadcasts a marker to both streams until every client got it (the first ones after a Redis restart may not). */
async function deliverToAll(node: WorkloadNode, clients: readonly RawClient[]): Promise<void> {
  rounds += 1;
  const marker = `round-${rounds}`;
  const gotIt = () => clients.every((client) => client.messages().some((frame) => frame.message === marker));
  await waitFor(
    async () => {
      for (const stream of [SIGNED_STREAM, 'chat_dashboard']) {
        await postBroadcast(node.gateway.broadcastUrl, { stream, data: JSON.stringify(marker) }, BROADCAST_KEY);
      }
      return waitFor(gotIt, marker, 1000).catch(() => false);
    },
    `every client to receive ${marker}`,
    20_000,
  );
}

/** Broadcast rounds for at least `durationMs`, so that rates span several scrapes. */
async function broadcastRounds(node: WorkloadNode, clients: readonly RawClient[], durationMs: number): Promise<void> {
  const until = Date.now() + durationMs;
  for (let round = 0; round < 1000 && Date.now() < until; round += 1) await deliverToAll(node, clients);
}

function expect201(status: number): void {
  if (status !== 201) throw new Error(`broadcast answered ${status}`);
}

async function badInput(node: WorkloadNode): Promise<void> {
  const client = await connectWithJwt(node, 'careless');
  client.send('not json');
  client.send({ command: 'subscribe', identifier: 'x'.repeat(MAX_MESSAGE_SIZE * 2) });
  await client.closed; // 1009: over max_message_size
  expect201(await postBroadcast(node.gateway.broadcastUrl, '{"stream":', BROADCAST_KEY));
  const refused = await rawClient(`${node.gateway.url}?jid=forged`);
  await refused.closed;
}

async function rpcTrouble(node: WorkloadNode): Promise<void> {
  node.rpc.failNext('connect', 1, status.UNAVAILABLE); // retried, then answered
  const retried = await connectWithRpc(node, 'retried');
  retried.close();
  const failing = await rawClient(node.gateway.url, { headers: { cookie: 'error=1' } });
  await failing.closed;
}

async function slowClient(node: WorkloadNode): Promise<void> {
  const slow = await connectWithJwt(node, 'slow');
  const socket = (slow.ws as unknown as { _socket: import('node:net').Socket })._socket;
  socket.pause();
  const payload = JSON.stringify('x'.repeat(16 * 1024));
  await waitFor(
    async () => {
      const batch = Array.from({ length: 16 }, () => ({ stream: SIGNED_STREAM, data: payload }));
      await postBroadcast(node.gateway.broadcastUrl, batch, BROADCAST_KEY);
      return (await metricValue(node.gateway.httpUrl, 'cableway_disconnected_slow_clients_total')) >= 1;
    },
    'the too_slow disconnect',
    30_000,
    100,
  );
  socket.resume();
  await slow.closed;
}

async function redisRestart(node: WorkloadNode, options: WorkloadOptions): Promise<void> {
  await node.redis.stop();
  await waitFor(async () => (await metricValue(node.gateway.httpUrl, 'cableway_redis_connected')) === 0, 'Redis down');
  await options.whileRedisIsDown?.();
  await node.redis.restart();
  await waitFor(async () => (await metricValue(node.gateway.httpUrl, 'cableway_redis_connected')) === 1, 'Redis back', 30_000);
}

export async function runWorkload(node: WorkloadNode, options: WorkloadOptions = {}): Promise<WorkloadResult> {
  const broadcastMs = options.broadcastMs ?? 3000;
  const jwtClients: RawClient[] = [];
  const rpcClients: RawClient[] = [];
  for (let i = 0; i < 12; i += 1) jwtClients.push(await connectWithJwt(node, `jwt-${i}`));
  for (let i = 0; i < 6; i += 1) rpcClients.push(await connectWithRpc(node, `rpc-${i}`));
  const extended = await extendedClients(node);
  const everyone = [...jwtClients, ...rpcClients];
  await broadcastRounds(node, everyone, broadcastMs);
  await badInput(node);
  await rpcTrouble(node);
  await slowClient(node);
  // Some leave: RPC sessions make Disconnect calls, JWT ones make none.
  for (const client of [...jwtClients.splice(0, 4), ...rpcClients.splice(0, 2)]) client.close();
  await redisRestart(node, options);
  extended.close();
  const stayed = [...jwtClients, ...rpcClients];
  await broadcastRounds(node, stayed, broadcastMs);
  return {
    clients: stayed,
    close() {
      for (const client of stayed) client.close();
    },
  };
}
