import type WebSocket from 'ws';
import { startGateway, type GatewayProcess } from '../support/gateway';
import { startHttpRpcServer } from '../support/http-rpc-server';
import { startRpcServer } from '../support/rpc-server';
import { closeAll, connectTimed, drained, pool, subscribe } from './load';
import { cpuSeconds, startReferenceServer } from './processes';
import { formatMs, printTable, summarize } from './stats';

const IDENTIFIER = JSON.stringify({ channel: 'ChatChannel', room: 'bench' });
const COOKIE = { cookie: 'username=bench' };

/** New WebSocket → welcome → subscribe → confirmation, in milliseconds. */
async function connectAndSubscribe(url: string): Promise<{ ws: WebSocket; ms: number }> {
  const started = process.hrtime.bigint();
  const { ws } = await connectTimed(url, { headers: COOKIE });
  await subscribe(ws, IDENTIFIER);
  return { ws, ms: Number(process.hrtime.bigint() - started) / 1e6 };
}

interface Path {
  readonly name: string;
  readonly url: string;
  readonly pid: number;
  /** The node whose sessions must be gone before the next round (none for the reference). */
  readonly gateway: GatewayProcess | null;
}

/**
 * Connect + subscribe through the Rails app (cookie Connect, then a subscribe Command) over each RPC
 * transport, one node per transport, against the bare uWS reference in the same run.
 */
export async function benchRpcTransports(count: number, concurrency: number): Promise<void> {
  const grpc = await startRpcServer();
  const http = await startHttpRpcServer({ secret: 'bench-http-rpc' });
  const quiet = { log_level: 'warn', metrics_http: '/metrics' };
  const viaGrpc = await startGateway({ ...quiet, rpc_host: grpc.address });
  const viaHttp = await startGateway({ ...quiet, rpc_host: http.url, http_rpc_secret: 'bench-http-rpc' });
  const reference = await startReferenceServer();
  try {
    const paths: readonly Path[] = [
      { name: 'gRPC', url: viaGrpc.url, pid: viaGrpc.pid, gateway: viaGrpc },
      { name: 'HTTP (undici pool)', url: viaHttp.url, pid: viaHttp.pid, gateway: viaHttp },
      { name: 'bare uWS reference', url: `ws://127.0.0.1:${reference.port}/cable`, pid: reference.pid, gateway: null },
    ];
    const measured = [];
    for (const path of paths) {
      const settle = async () => void (path.gateway && (await drained(path.gateway)));
      closeAll((await pool(50, concurrency, () => connectAndSubscribe(path.url))).map((result) => result.ws));
      await settle();
      const cpuBefore = await cpuSeconds(path.pid);
      const results = await pool(count, concurrency, () => connectAndSubscribe(path.url));
      const cpuPerSession = ((await cpuSeconds(path.pid)) - cpuBefore) / count;
      closeAll(results.map((result) => result.ws));
      await settle();
      measured.push({ path, summary: summarize(results.map((result) => result.ms)), cpuPerSession });
    }
    const reference50 = measured[measured.length - 1]!.summary.p50;
    printTable(
      `Connect + subscribe through RPC, ${count} sessions per path, ${concurrency} at a time`,
      measured.map(({ path, summary, cpuPerSession }) => ({
        path: path.name,
        sessions: summary.count,
        p50: formatMs(summary.p50),
        p90: formatMs(summary.p90),
        p99: formatMs(summary.p99),
        'p50 / reference': `${(summary.p50 / reference50).toFixed(1)}×`,
        'server CPU per connect+subscribe': `${(cpuPerSession * 1e6).toFixed(0)} µs`,
      })),
    );
  } finally {
    reference.stop();
    await Promise.all([viaGrpc.stop(), viaHttp.stop()]);
    await Promise.all([grpc.stop(), http.stop()]);
  }
}
