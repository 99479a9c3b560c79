import { issueIdentificationToken } from '../../shared/src/tokens';
import { startGateway } from '../support/gateway';
import { startRpcServer } from '../support/rpc-server';
import { closeAll, connectTimed, drained, pool } from './load';
import { cpuSeconds, startReferenceServer } from './processes';
import { formatMs, printTable, summarize } from './stats';

const SECRET = 'bench-jwt-secret';

/**
 * Connect time by auth path on one node in one run: through RPC Connect (cookie, the Rails app decides),
 * through JWT (no RPC), and a bare uWS server as the reference. Time = new WebSocket → welcome frame.
 */
export async function benchConnect(count: number, concurrency: number): Promise<void> {
  const rpc = await startRpcServer();
  const gateway = await startGateway({ rpc_host: rpc.address, jwt_secret: SECRET, log_level: 'warn', metrics_http: '/metrics' });
  const reference = await startReferenceServer();
  try {
    const token = await issueIdentificationToken({ user_id: 42 }, SECRET);
    const paths: ReadonlyArray<{ name: string; url: string; headers: Record<string, string>; pid: number }> = [
      { name: 'rpc (cookie)', url: gateway.url, headers: { cookie: 'username=bench' }, pid: gateway.pid },
      { name: 'jwt (?jid=)', url: `${gateway.url}?jid=${token}`, headers: {}, pid: gateway.pid },
      { name: 'bare uWS reference', url: `ws://127.0.0.1:${reference.port}/cable`, headers: {}, pid: reference.pid },
    ];
    const rows = [];
    for (const path of paths) {
      const warm = await pool(50, concurrency, () => connectTimed(path.url, { headers: path.headers }));
      closeAll(warm.map((result) => result.ws));
      await drained(gateway);
      const cpuBefore = await cpuSeconds(path.pid);
      const connectCallsBefore = rpc.calls.connect;
      const disconnectCallsBefore = rpc.calls.disconnect;
      const results = await pool(count, concurrency, () => connectTimed(path.url, { headers: path.headers }));
      const cpuPerConnection = ((await cpuSeconds(path.pid)) - cpuBefore) / count;
      closeAll(results.map((result) => result.ws));
      await drained(gateway);
      const summary = summarize(results.map((result) => result.ms));
      rows.push({
        path: path.name,
        connections: summary.count,
        p50: formatMs(summary.p50),
        p90: formatMs(summary.p90),
        p99: formatMs(summary.p99),
        'server CPU per connect': `${(cpuPerConnection * 1e6).toFixed(0)} µs`,
        'RPC Connect calls': rpc.calls.connect - connectCallsBefore,
        'RPC Disconnect calls': rpc.calls.disconnect - disconnectCallsBefore,
      });
    }
    printTable(`Connect time, ${count} connections per path, ${concurrency} at a time`, rows);
  } finally {
    reference.stop();
    await gateway.stop();
    await rpc.stop();
  }
}
