import WebSocket from 'ws';
import { startGateway, type GatewayProcess } from '../support/gateway';
import { freePort } from '../support/ports';
import { closeAll, connectTimed, pool, subscribe } from './load';
import { cpuSeconds, startReferenceServer } from './processes';
import { formatMs, printTable, summarize } from './stats';

export interface FanoutResult {
  readonly deliveriesPerSec: number;
  readonly serverCpuPerDelivery: number;
  readonly latencies: number[];
}

const SAMPLED_CLIENTS = 10;

/** Counts frames on every client and the latency of every frame on a few sampled ones. */
function receiveAll(sockets: readonly WebSocket[], expected: number): { done: Promise<void>; latencies: number[] } {
  const latencies: number[] = [];
  let remaining = sockets.length;
  const done = new Promise<void>((resolve) => {
    sockets.forEach((ws, index) => {
      let received = 0;
      ws.on('message', (data: WebSocket.RawData) => {
        const text = data.toString();
        if (!text.includes('"sent"')) return;
        if (index < SAMPLED_CLIENTS) {
          const sent = (JSON.parse(text) as { message: { sent: number } }).message.sent;
          latencies.push(performance.now() - sent);
        }
        received += 1;
        if (received === expected && --remaining === 0) resolve();
      });
    });
  });
  return { done, latencies };
}

/** Publishes `messages` in batches and measures the fan-out to `sockets`: rate, server CPU per frame, latency. */
export async function measureFanout(
  sockets: readonly WebSocket[],
  messages: number,
  batch: number,
  serverPid: number,
  publish: (frames: number) => Promise<void>,
): Promise<FanoutResult> {
  const { done, latencies } = receiveAll(sockets, messages);
  const cpuBefore = await cpuSeconds(serverPid);
  const started = performance.now();
  for (let sent = 0; sent < messages; sent += batch) await publish(Math.min(batch, messages - sent));
  await done;
  const elapsedSec = (performance.now() - started) / 1000;
  const deliveries = messages * sockets.length;
  const cpu = (await cpuSeconds(serverPid)) - cpuBefore;
  return { deliveriesPerSec: deliveries / elapsedSec, serverCpuPerDelivery: (cpu / deliveries) * 1e6, latencies };
}

/** What one fan-out run sends: `messages` broadcasts of ~130 B to `clients` subscribers, `batch` per HTTP request. */
export interface FanoutLoad {
  readonly clients: number;
  readonly messages: number;
  readonly batch: number;
}

const PAYLOAD = 'x'.repeat(100);
const STREAM = 'fanout';
const IDENTIFIER = JSON.stringify({ channel: '$pubsub', stream_name: STREAM });

/**
 * The fan-out of a Cableway node: HTTP broadcasts to clients of `protocol` subscribed to a public `$pubsub`
 * stream. `sample`, when given, is called just before and just after the measured run, every client connected.
 */
export async function fanoutThroughNode(
  node: GatewayProcess,
  load: FanoutLoad,
  protocol = 'actioncable-v1-json',
  sample?: () => Promise<void>,
): Promise<FanoutResult> {
  const sockets = (await pool(load.clients, 50, () => connectTimed(node.url, { protocols: [protocol] }))).map(
    (result) => result.ws,
  );
  await pool(load.clients, 50, (index) => subscribe(sockets[index]!, IDENTIFIER));
  try {
    await sample?.();
    const result = await measureFanout(sockets, load.messages, load.batch, node.pid, async (count) => {
      const body = Array.from({ length: count }, () => ({
        stream: STREAM,
        data: JSON.stringify({ sent: performance.now(), payload: PAYLOAD }),
      }));
      await fetch(node.broadcastUrl, { method: 'POST', body: JSON.stringify(body) });
    });
    await sample?.();
    return result;
  } finally {
    closeAll(sockets);
  }
}

/** The same fan-out from the bare uWS reference, publishing the frames a node would write. */
export async function fanoutThroughReference(reference: { port: number; pid: number }, load: FanoutLoad): Promise<FanoutResult> {
  const sockets = (await pool(load.clients, 50, () => connectTimed(`ws://127.0.0.1:${reference.port}/cable`))).map(
    (result) => result.ws,
  );
  try {
    return await measureFanout(sockets, load.messages, load.batch, reference.pid, async (count) => {
      const frames = Array.from({ length: count }, () =>
        JSON.stringify({ identifier: IDENTIFIER, message: { sent: performance.now(), payload: PAYLOAD } }),
      );
      await fetch(`http://127.0.0.1:${reference.port}/publish`, { method: 'POST', body: JSON.stringify(frames) });
    });
  } finally {
    closeAll(sockets);
  }
}

/**
 * Frames per second of broadcasts to `clients` local subscribers of one stream: Cableway (HTTP broadcast,
 * in-memory pub/sub, `$pubsub` public stream) next to a bare uWS server publishing the same frames. Both
 * take the broadcasts on their uWS port, as anycable-go does with a broadcast key.
 */
export async function benchFanout(clients: number, messages: number, batch: number): Promise<void> {
  const port = await freePort();
  const gateway = await startGateway({ public: true, log_level: 'warn', port, http_broadcast_port: port });
  const reference = await startReferenceServer();
  try {
    const load = { clients, messages, batch };
    const node = await fanoutThroughNode(gateway, load);
    const bare = await fanoutThroughReference(reference, load);
    printTable(`Fan-out: ${messages} broadcasts of ~130 B to ${clients} local subscribers, ${batch} per HTTP request`, [
      { server: 'Cableway', ...fanoutRow(node) },
      { server: 'bare uWS reference', ...fanoutRow(bare) },
    ]);
  } finally {
    reference.stop();
    await gateway.stop();
  }
}

export function fanoutRow(result: FanoutResult): Record<string, string> {
  const latency = summarize(result.latencies);
  return {
    'frames/s': Math.round(result.deliveriesPerSec).toLocaleString('en'),
    'server CPU µs/frame': result.serverCpuPerDelivery.toFixed(2),
    'latency p50': formatMs(latency.p50),
    'latency p99': formatMs(latency.p99),
  };
}
