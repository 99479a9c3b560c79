import type WebSocket from 'ws';
import { issueIdentificationToken } from '../../shared/src/tokens';
import { startGateway, type GatewayProcess } from '../support/gateway';
import { startHttpRpcServer } from '../support/http-rpc-server';
import { startRpcServer } from '../support/rpc-server';
import { closeAll, connectTimed, drained, pool, subscribe } from './load';
import { cpuSeconds, profilingArgs, rpcClientAloneCpu, startReferenceServer } from './processes';
import { formatMs, printTable, ratio, summarize } from './stats';

const SECRET = 'bench-jwt-secret';
const HTTP_RPC_SECRET = 'bench-http-rpc';
const COOKIE = { cookie: 'username=bench' };
const CHAT = JSON.stringify({ channel: 'ChatChannel', room: 'bench' });
/**
 * What the scenarios' nodes share. The sessions of a round are closed before the next one is measured,
 * and their Disconnect calls made: at the default 100 per second, the warm-up's alone would take a minute.
 */
const BENCH_NODE = { log_level: 'warn', metrics_http: '/metrics', disconnect_rate: 2000 };

/** One side of an A/B comparison: a server and the unit of work measured on it. */
interface Side {
  readonly name: string;
  readonly pid: number;
  /** The node whose sessions must be gone before the next round (none for the reference). */
  readonly gateway: GatewayProcess | null;
  /** Does one unit of work; resolves with its milliseconds and the socket it opened (closed after the round). */
  readonly work: () => Promise<{ ws: WebSocket | null; ms: number }>;
}

interface Measured {
  readonly side: Side;
  /** CPU seconds per unit in the uncounted first round, on the fresh process. */
  coldCpu: number;
  cpu: number;
  units: number;
  readonly ms: number[];
}

/**
 * Measures `count` units of work `rounds` times per side, alternating A B A B so that the shared
 * machine's load falls on both alike; CPU is the server process's, summed over the rounds (in 10 ms
 * ticks: enough rounds keep the reference's total well above one tick). Each side first does `warmup`
 * uncounted units on its fresh process, in rounds of `count` like the measured ones, which pays for
 * compiling the hot paths and growing the heap once in its life (a node's first few thousand connects
 * cost it twice or three times what later ones do); their CPU per unit is reported beside the warm figure.
 * A side's sockets are closed, and a node's Disconnect calls made, before the next side is measured.
 */
async function interleaved(sides: readonly Side[], count: number, rounds: number, warmup: number): Promise<Measured[]> {
  const measured = sides.map((side): Measured => ({ side, coldCpu: 0, cpu: 0, units: 0, ms: [] }));
  const close = (results: readonly { ws: WebSocket | null }[]) =>
    closeAll(results.flatMap((result) => (result.ws ? [result.ws] : [])));
  const settle = async (side: Side) => void (side.gateway && (await drained(side.gateway)));
  for (const entry of measured) {
    // In rounds of `count`, as measured: thousands of sessions open at once would leave old-space garbage
    // whose collection the first measured rounds would pay for.
    for (let done = 0; done < warmup; done += count) {
      const before = await cpuSeconds(entry.side.pid);
      const results = await pool(Math.min(count, warmup - done), 1, entry.side.work);
      entry.coldCpu += (await cpuSeconds(entry.side.pid)) - before;
      close(results);
      await settle(entry.side);
    }
    entry.coldCpu /= warmup;
  }
  for (let round = 0; round < rounds; round++) {
    for (const entry of measured) {
      const before = await cpuSeconds(entry.side.pid);
      const results = await pool(count, 1, entry.side.work);
      entry.cpu += (await cpuSeconds(entry.side.pid)) - before;
      entry.units += count;
      entry.ms.push(...results.map((result) => result.ms));
      // Its closes and Disconnect calls are done before the next side is measured: the machine is shared.
      close(results);
      await settle(entry.side);
    }
  }
  return measured;
}

/**
 * The table of `measured`, the reference last, then `floors`: work measured outside `interleaved`, whose
 * latency and warm-up were not measured.
 */
function rows(measured: readonly Measured[], unit: string, floors: readonly { name: string; cpu: number }[] = []) {
  const reference = measured[measured.length - 1]!;
  const perUnit = (entry: Measured) => entry.cpu / entry.units;
  const row = (server: string, units: number, cpu: number, ms: readonly number[] | null, warmup: string) => {
    const summary = ms && summarize(ms);
    return {
      server,
      [unit]: units,
      p50: summary ? formatMs(summary.p50) : '—',
      p99: summary ? formatMs(summary.p99) : '—',
      [`server CPU per ${unit.replace(/s$/, '')}`]: `${(cpu * 1e6).toFixed(0)} µs`,
      'CPU / reference': ratio(cpu, perUnit(reference)),
      'warm-up, fresh process': warmup,
    };
  };
  return [
    ...measured.map((entry) => {
      const warmup = `${(entry.coldCpu * 1e6).toFixed(0)} µs (${ratio(entry.coldCpu, reference.coldCpu)})`;
      return row(entry.side.name, entry.units, perUnit(entry), entry.ms, warmup);
    }),
    ...floors.map(({ name, cpu }) => row(name, reference.units, cpu, null, '—')),
  ];
}

async function timed<T>(work: () => Promise<T>): Promise<{ ws: T; ms: number }> {
  const started = process.hrtime.bigint();
  const ws = await work();
  return { ws, ms: Number(process.hrtime.bigint() - started) / 1e6 };
}

/** Sends a `message` command and resolves on the next frame that is not a ping. */
function perform(ws: WebSocket, identifier: string, data: string): Promise<void> {
  return new Promise((resolve) => {
    const onMessage = (frame: WebSocket.RawData) => {
      if (frame.toString().includes('"type":"ping"')) return;
      ws.off('message', onMessage);
      resolve();
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify({ command: 'message', identifier, data }));
  });
}

/** What the connect-path scenarios share: a node with gRPC RPC and JWT, the RPC server and the reference. */
async function withServers(
  run: (servers: { gateway: GatewayProcess; rpcAddress: string; referenceUrl: string; referencePid: number }) => Promise<void>,
): Promise<void> {
  const rpc = await startRpcServer();
  const gateway = await startGateway(
    { rpc_host: rpc.address, jwt_secret: SECRET, ...BENCH_NODE },
    {},
    { nodeArgs: profilingArgs() },
  );
  const reference = await startReferenceServer();
  try {
    const referenceUrl = `ws://127.0.0.1:${reference.port}/cable`;
    await run({ gateway, rpcAddress: rpc.address, referenceUrl, referencePid: reference.pid });
  } finally {
    reference.stop();
    await gateway.stop();
    await rpc.stop();
  }
}

/** A second node, on the HTTP RPC transport, beside `withServers`' gRPC one. */
async function withHttpRpcNode(run: (servers: { node: GatewayProcess; rpcUrl: string }) => Promise<void>): Promise<void> {
  const rpc = await startHttpRpcServer({ secret: HTTP_RPC_SECRET });
  const node = await startGateway(
    { rpc_host: rpc.url, http_rpc_secret: HTTP_RPC_SECRET, ...BENCH_NODE },
    {},
    { nodeArgs: profilingArgs() },
  );
  try {
    await run({ node, rpcUrl: rpc.url });
  } finally {
    await node.stop();
    await rpc.stop();
  }
}

/**
 * JWT connect (upgrade, verify, welcome) against the reference's upgrade and welcome, with a `--noauth`
 * node between them: what a session costs before any authentication.
 */
export function benchJwtConnect(count: number, rounds: number, warmup: number): Promise<void> {
  return withServers(async ({ gateway, referenceUrl, referencePid }) => {
    const token = await issueIdentificationToken({ user_id: 42 }, SECRET);
    const noauth = await startGateway({ noauth: true, ...BENCH_NODE });
    try {
      const measured = await interleaved(
        [
          { name: 'Cableway, JWT (?jid=)', pid: gateway.pid, gateway, work: () => connectTimed(`${gateway.url}?jid=${token}`) },
          { name: 'Cableway, --noauth', pid: noauth.pid, gateway: noauth, work: () => connectTimed(noauth.url) },
          { name: 'bare uWS reference', pid: referencePid, gateway: null, work: () => connectTimed(referenceUrl) },
        ],
        count,
        rounds,
        warmup,
      );
      printTable(
        `JWT connect: ${count} sequential connections per round, ${rounds} rounds, A B C A B C, after ${warmup} uncounted`,
        rows(measured, 'connects'),
        'Target: Cableway ≤ 2× the reference’s CPU per connect.',
      );
    } finally {
      await noauth.stop();
    }
  });
}

/**
 * Connect (RPC Connect) + subscribe (RPC Command), over gRPC and over the HTTP RPC transport, against the
 * reference's connect + local subscribe.
 */
export function benchRpcSubscribe(count: number, rounds: number, warmup: number): Promise<void> {
  return withServers(({ gateway, referenceUrl, referencePid }) =>
    withHttpRpcNode(async ({ node: viaHttp }) => {
      const session = (url: string, headers: Record<string, string>) => () =>
        timed(async () => {
          const { ws } = await connectTimed(url, { headers });
          await subscribe(ws, CHAT);
          return ws;
        });
      const measured = await interleaved(
        [
          { name: 'Cableway, gRPC Connect + Command', pid: gateway.pid, gateway, work: session(gateway.url, COOKIE) },
          { name: 'Cableway, HTTP Connect + Command', pid: viaHttp.pid, gateway: viaHttp, work: session(viaHttp.url, COOKIE) },
          { name: 'bare uWS reference', pid: referencePid, gateway: null, work: session(referenceUrl, {}) },
        ],
        count,
        rounds,
        warmup,
      );
      printTable(
        `Connect + subscribe through RPC: ${count} sequential sessions per round, ${rounds} rounds, A B A B, after ${warmup} uncounted`,
        rows(measured, 'sessions'),
        'Target: Cableway ≤ 4× the reference’s connect + local subscribe.',
      );
    }),
  );
}

/**
 * One subscribed session performing `count` channel actions one after the other (each an RPC Command
 * answered with a transmission), over gRPC and over the HTTP RPC transport, against the reference
 * answering a frame on an open socket.
 */
export function benchRpcCommand(count: number, rounds: number, warmup: number): Promise<void> {
  return withServers(({ gateway, rpcAddress, referenceUrl, referencePid }) =>
    withHttpRpcNode(async ({ node: viaHttp, rpcUrl }) => {
      const subscribed = async (url: string) => {
        const { ws } = await connectTimed(url, { headers: COOKIE });
        await subscribe(ws, CHAT);
        return ws;
      };
      const [grpcSocket, httpSocket] = [await subscribed(gateway.url), await subscribed(viaHttp.url)];
      const { ws: referenceSocket } = await connectTimed(referenceUrl);
      const whoami = JSON.stringify({ action: 'whoami' });
      const performing = (ws: WebSocket) => () => timed(async () => (await perform(ws, CHAT, whoami), null));
      const measured = await interleaved(
        [
          { name: 'Cableway, RPC Command over gRPC', pid: gateway.pid, gateway: null, work: performing(grpcSocket) },
          { name: 'Cableway, RPC Command over HTTP', pid: viaHttp.pid, gateway: null, work: performing(httpSocket) },
          {
            name: 'bare uWS reference (frame answered)',
            pid: referencePid,
            gateway: null,
            work: () => timed(async () => (await subscribe(referenceSocket, CHAT), null)),
          },
        ],
        count,
        rounds,
        warmup,
      );
      closeAll([grpcSocket, httpSocket, referenceSocket]);
      const calls = count * rounds;
      const alone = [
        { name: 'the node’s gRPC client alone', cpu: await rpcClientAloneCpu('grpc', rpcAddress, '', warmup, calls) },
        {
          name: 'the node’s HTTP RPC client alone',
          cpu: await rpcClientAloneCpu('http', rpcUrl, HTTP_RPC_SECRET, warmup, calls),
        },
        { name: 'a gRPC call on bare node:http2', cpu: await rpcClientAloneCpu('http2', rpcAddress, '', warmup, calls) },
      ];
      printTable(
        `Server CPU per RPC Command call: ${count} sequential actions on one session per round, ${rounds} rounds, A B A B, after ${warmup} uncounted`,
        rows(measured, 'calls', alone),
        'Target: ≤ 150 µs of Cableway CPU per call (the reference row is the cost of a frame in and a frame out). ' +
          'The last rows are the floor under the node: its RPC transports making the same calls in a process of their own, ' +
          'with no WebSocket and no session, and the same gRPC call written directly on Node’s HTTP/2 client.',
      );
    }),
  );
}
