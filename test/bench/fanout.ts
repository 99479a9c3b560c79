import WebSocket from 'ws';
import { startGateway, type GatewayProcess } from '../support/gateway';
import { freePort } from '../support/ports';
import { closeAll, connectTimed, pool, subscribe } from './load';
import { cpuSeconds, profilingArgs, startReferenceServer } from './processes';
import { formatMs, printTable, ratio, summarize } from './stats';

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

/** What one fan-out run sends: `messages` broadcasts of ~130 B to `clients` subscribers, `batch` per HTTP request. */
export interface FanoutLoad {
  readonly clients: number;
  readonly messages: number;
  readonly batch: number;
  /** Client i subscribes to stream i mod `streams`, broadcast j goes to stream j mod `streams`; 1 when absent. */
  readonly streams?: number;
}

const PAYLOAD = 'x'.repeat(100);

function streamName(index: number, load: FanoutLoad): string {
  return `fanout-${index % (load.streams ?? 1)}`;
}

function identifierOf(stream: string): string {
  return JSON.stringify({ channel: '$pubsub', stream_name: stream });
}

/** Publishes the load's broadcasts in batches and measures their fan-out: rate, server CPU per frame, latency. */
async function measureFanout(target: FanoutTarget, load: FanoutLoad): Promise<FanoutResult> {
  const streams = load.streams ?? 1;
  const { done, latencies } = receiveAll(target.sockets, load.messages / streams);
  const cpuBefore = await cpuSeconds(target.pid);
  const started = performance.now();
  for (let sent = 0; sent < load.messages; sent += load.batch) {
    const streamsOfBatch = Array.from({ length: Math.min(load.batch, load.messages - sent) }, (_, offset) =>
      streamName(sent + offset, load),
    );
    await target.publish(streamsOfBatch);
  }
  await done;
  const elapsedSec = (performance.now() - started) / 1000;
  const deliveries = (load.messages / streams) * target.sockets.length;
  const cpu = (await cpuSeconds(target.pid)) - cpuBefore;
  return { deliveriesPerSec: deliveries / elapsedSec, serverCpuPerDelivery: (cpu / deliveries) * 1e6, latencies };
}

/** Connects the load's clients to `url` and subscribes each to its stream. */
async function subscribedClients(url: string, load: FanoutLoad, protocol: string): Promise<WebSocket[]> {
  const sockets = (await pool(load.clients, 50, () => connectTimed(url, { protocols: [protocol] }))).map((result) => result.ws);
  await pool(load.clients, 50, (index) => subscribe(sockets[index]!, identifierOf(streamName(index, load))));
  return sockets;
}

/** Subscribed clients of one server, and how to publish a batch of broadcasts (one per stream named) to it. */
export interface FanoutTarget {
  readonly sockets: readonly WebSocket[];
  readonly pid: number;
  readonly publish: (streams: readonly string[]) => Promise<void>;
  /** Called just before and just after each of its measured runs. */
  readonly sample?: () => Promise<void>;
}

/** What each broadcast carries: its send time, for the latency, and ~100 B. */
const message = () => ({ sent: performance.now(), payload: PAYLOAD });

/** Clients of `protocol` subscribed to public `$pubsub` streams of `node`, which takes HTTP broadcasts. */
export async function nodeTarget(node: GatewayProcess, load: FanoutLoad, protocol: string): Promise<FanoutTarget> {
  return {
    sockets: await subscribedClients(node.url, load, protocol),
    pid: node.pid,
    publish: async (streams) => {
      const body = streams.map((stream) => ({ stream, data: JSON.stringify(message()) }));
      await fetch(node.broadcastUrl, { method: 'POST', body: JSON.stringify(body) });
    },
  };
}

/** Clients of the bare uWS reference, which publishes the frames a node would write. */
export async function referenceTarget(reference: { port: number; pid: number }, load: FanoutLoad): Promise<FanoutTarget> {
  return {
    sockets: await subscribedClients(`ws://127.0.0.1:${reference.port}/cable`, load, 'actioncable-v1-json'),
    pid: reference.pid,
    publish: async (streams) => {
      const frames = streams.map((stream) => ({
        stream,
        frame: JSON.stringify({ identifier: identifierOf(stream), message: message() }),
      }));
      await fetch(`http://127.0.0.1:${reference.port}/publish`, { method: 'POST', body: JSON.stringify(frames) });
    },
  };
}

/**
 * One measured fan-out to `target`, after one uncounted run on the same clients: a fresh server's first
 * burst pays for compiling its broadcast path.
 */
async function warmFanout(target: FanoutTarget, load: FanoutLoad, sample?: () => Promise<void>): Promise<FanoutResult> {
  await measureFanout(target, load);
  await sample?.();
  const result = await measureFanout(target, load);
  await sample?.();
  return result;
}

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
  const target = await nodeTarget(node, load, protocol);
  try {
    return await warmFanout(target, load, sample);
  } finally {
    closeAll(target.sockets);
  }
}

/** The same fan-out from the bare uWS reference. */
export async function fanoutThroughReference(reference: { port: number; pid: number }, load: FanoutLoad): Promise<FanoutResult> {
  const target = await referenceTarget(reference, load);
  try {
    return await warmFanout(target, load);
  } finally {
    closeAll(target.sockets);
  }
}

/** The runs of one target taken together: deliveries over their summed time and CPU. */
function combined(results: readonly FanoutResult[], deliveriesPerRun: number): FanoutResult {
  const seconds = results.reduce((sum, result) => sum + deliveriesPerRun / result.deliveriesPerSec, 0);
  const cpu = results.reduce((sum, result) => sum + result.serverCpuPerDelivery * deliveriesPerRun, 0);
  const deliveries = deliveriesPerRun * results.length;
  return {
    deliveriesPerSec: deliveries / seconds,
    serverCpuPerDelivery: cpu / deliveries,
    latencies: results.flatMap((result) => result.latencies),
  };
}

/**
 * The same load through every target: one uncounted run each, then `rounds` runs each, alternating A B A B
 * so that the shared machine's load falls on all alike. Each target's runs are taken together.
 */
export async function alternatedFanout(
  targets: readonly FanoutTarget[],
  load: FanoutLoad,
  rounds: number,
): Promise<FanoutResult[]> {
  const runs = targets.map((): FanoutResult[] => []);
  for (const target of targets) await measureFanout(target, load);
  for (let round = 0; round < rounds; round++) {
    for (const [index, target] of targets.entries()) {
      await target.sample?.();
      runs[index]!.push(await measureFanout(target, load));
      await target.sample?.();
    }
  }
  return runs.map((results) => combined(results, (load.messages / (load.streams ?? 1)) * load.clients));
}

/**
 * Frames per second of broadcasts to `clients` local subscribers: Cableway (HTTP broadcast, in-memory
 * pub/sub, `$pubsub` public streams) next to a bare uWS server publishing the same frames. Both take the
 * broadcasts on their uWS port, as anycable-go does with a broadcast key.
 */
export async function benchFanout(load: FanoutLoad, rounds: number): Promise<void> {
  const { clients, messages, batch, streams = 1 } = load;
  const port = await freePort();
  const gateway = await startGateway(
    { public: true, log_level: 'warn', port, http_broadcast_port: port },
    {},
    { nodeArgs: profilingArgs() },
  );
  const reference = await startReferenceServer();
  const targets = [await nodeTarget(gateway, load, 'actioncable-v1-json'), await referenceTarget(reference, load)];
  try {
    const [node, bare] = await alternatedFanout(targets, load, rounds);
    const spread = streams === 1 ? 'one stream' : `${streams} streams (${clients / streams} each)`;
    printTable(
      `Fan-out: ${messages} broadcasts of ~130 B to ${clients} local subscribers of ${spread}, ${batch} per HTTP request, ` +
        `${rounds} rounds A B A B after one uncounted`,
      [
        { server: 'Cableway', ...fanoutRow(node!), ...fanoutRatios(node!, bare!) },
        { server: 'bare uWS reference', ...fanoutRow(bare!), ...fanoutRatios(bare!, bare!) },
      ],
    );
  } finally {
    for (const target of targets) closeAll(target.sockets);
    reference.stop();
    await gateway.stop();
  }
}

/** The targets' terms: CPU per delivery and deliveries per second, each against the reference's. */
export function fanoutRatios(result: FanoutResult, reference: FanoutResult): Record<string, string> {
  return {
    'CPU / reference': ratio(result.serverCpuPerDelivery, reference.serverCpuPerDelivery),
    'rate / reference': ratio(result.deliveriesPerSec, reference.deliveriesPerSec),
  };
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
