import type WebSocket from 'ws';
import { startGateway } from '../support/gateway';
import { startRpcServer } from '../support/rpc-server';
import { closeAll, connectTimed, pool, subscribe } from './load';
import { residentBytes, startReferenceServer } from './processes';
import { printTable, ratio } from './stats';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function settle(): Promise<void> {
  await sleep(1500);
}

/**
 * V8 keeps the heap a burst of connects grew, garbage included, until its memory reducer runs on an idle
 * process: within a minute here. What a node holds for its connections is read after that.
 */
const IDLE_MS = 45_000;

interface MemoryTarget {
  readonly name: string;
  readonly pid: number;
  /** Opens the connection of this index, subscribed. */
  readonly open: (index: number) => Promise<WebSocket>;
}

/**
 * Resident memory before any connection, at half of `clients` and at all of them: per connection at
 * `clients`, and per additional connection between half and all (what one more costs once the node is warm);
 * then per connection once the process has been idle for IDLE_MS.
 */
async function grow(target: MemoryTarget, clients: number) {
  await settle();
  const before = await residentBytes(target.pid);
  const half = Math.floor(clients / 2);
  const sockets = await pool(half, 100, target.open);
  await settle();
  const atHalf = await residentBytes(target.pid);
  sockets.push(...(await pool(clients - half, 100, (index) => target.open(half + index))));
  await settle();
  const after = await residentBytes(target.pid);
  await sleep(IDLE_MS);
  const idle = await residentBytes(target.pid);
  closeAll(sockets);
  return {
    name: target.name,
    before,
    after,
    perConnection: (after - before) / clients,
    marginal: (after - atHalf) / (clients - half),
    idlePerConnection: (idle - before) / clients,
  };
}

function rows(measured: ReadonlyArray<Awaited<ReturnType<typeof grow>>>, clients: number) {
  const reference = measured[measured.length - 1]!;
  const kib = (bytes: number) => `${(bytes / 1024).toFixed(2)} KiB`;
  return measured.map((entry) => ({
    server: entry.name,
    connections: clients,
    'RSS before': `${(entry.before / 2 ** 20).toFixed(1)} MiB`,
    'RSS after': `${(entry.after / 2 ** 20).toFixed(1)} MiB`,
    'per connection': kib(entry.perConnection),
    'per additional connection (second half)': kib(entry.marginal),
    'per connection / reference': ratio(entry.perConnection, reference.perConnection),
    [`per connection, idle ${IDLE_MS / 1000} s`]: kib(entry.idlePerConnection),
    'idle / reference': ratio(entry.idlePerConnection, reference.idlePerConnection),
  }));
}

const NOTE =
  'User space only (the kernel adds ~4 KiB per socket). Targets: ≤ 4 KB per additional idle subscribed connection, ≤ 6 KB per connection at 10,000 RPC-subscribed connections.';

/** Resident memory per idle connection, each subscribed to a stream of its own, next to bare uWS. */
export async function benchMemory(clients: number): Promise<void> {
  const gateway = await startGateway({ public: true, log_level: 'warn' });
  const reference = await startReferenceServer();
  const openWith = (url: string) => async (index: number) => {
    const { ws } = await connectTimed(url);
    await subscribe(ws, JSON.stringify({ channel: '$pubsub', stream_name: `idle-${index}` }));
    return ws;
  };
  try {
    const measured = [
      await grow({ name: 'Cableway ($pubsub, no RPC)', pid: gateway.pid, open: openWith(gateway.url) }, clients),
      await grow(
        { name: 'bare uWS reference', pid: reference.pid, open: openWith(`ws://127.0.0.1:${reference.port}/cable`) },
        clients,
      ),
    ];
    printTable(`Idle memory: ${clients} connections, one stream subscription each`, rows(measured, clients), NOTE);
  } finally {
    reference.stop();
    await gateway.stop();
  }
}

/** The same with every connection identified (RPC Connect) and subscribed (RPC Command) through gRPC. */
export async function benchRpcMemory(clients: number): Promise<void> {
  const rpc = await startRpcServer();
  const gateway = await startGateway({ rpc_host: rpc.address, log_level: 'warn' });
  const reference = await startReferenceServer();
  const openWith = (url: string) => async (index: number) => {
    const { ws } = await connectTimed(url, { headers: { cookie: `username=user-${index}` } });
    await subscribe(ws, JSON.stringify({ channel: 'ChatChannel', room: `room-${index}` }));
    return ws;
  };
  try {
    const measured = [
      await grow({ name: 'Cableway (gRPC Connect + Command)', pid: gateway.pid, open: openWith(gateway.url) }, clients),
      await grow(
        { name: 'bare uWS reference', pid: reference.pid, open: openWith(`ws://127.0.0.1:${reference.port}/cable`) },
        clients,
      ),
    ];
    printTable(`Memory at ${clients} RPC-subscribed connections, one stream each`, rows(measured, clients), NOTE);
  } finally {
    reference.stop();
    await gateway.stop();
    await rpc.stop();
  }
}
