import { metricValue, startGateway, type GatewayProcess } from '../support/gateway';
import { fanoutRow, fanoutThroughNode, fanoutThroughReference, type FanoutLoad } from './fanout';
import { closeAll, connectTimed, pool } from './load';
import { startReferenceServer } from './processes';
import { printTable } from './stats';

/** Each worker's connections and CPU seconds so far, from the node's own per-worker metrics. */
async function perWorker(node: GatewayProcess, workers: number): Promise<{ clients: number; cpu: number }[]> {
  return Promise.all(
    Array.from({ length: workers }, async (_, index) => ({
      clients: await metricValue(node.httpUrl, 'cableway_worker_clients_num', `{worker="${index}"}`),
      cpu: await metricValue(node.httpUrl, 'cableway_worker_cpu_seconds', `{worker="${index}"}`),
    })),
  );
}

/**
 * The same burst fan-out through a node with one event loop and with --workers=2, next to the bare uWS
 * reference: CPU per delivery of the whole process (every thread), and how the second node spread its
 * connections and its CPU over the workers. With the load generator on the same two cores, the scaling
 * itself cannot be measured here; the per-worker figures show what it would be.
 */
export async function benchWorkers(load: FanoutLoad): Promise<void> {
  const reference = await startReferenceServer();
  try {
    const rows = [];
    const spread: Record<string, string | number>[] = [];
    for (const workers of [1, 2]) {
      const node = await startGateway({ public: true, log_level: 'warn', workers, metrics_http: '/metrics' });
      try {
        const before = workers > 1 ? await perWorker(node, workers) : [];
        const result = await fanoutThroughNode(node, load);
        rows.push({ server: `Cableway, --workers=${workers}`, ...fanoutRow(result) });
        if (workers > 1) {
          const after = await perWorker(node, workers);
          const cpu = after.map((worker, index) => worker.cpu - before[index]!.cpu);
          const total = cpu.reduce((sum, seconds) => sum + seconds, 0);
          const connections = await connectionsPerWorker(node, workers, load);
          cpu.forEach((seconds, index) =>
            spread.push({
              worker: index,
              connections: connections[index]!,
              'CPU s in the run': seconds.toFixed(2),
              'share of worker CPU': `${((seconds / total) * 100).toFixed(0)} %`,
            }),
          );
        }
      } finally {
        await node.stop();
      }
    }
    rows.push({ server: 'bare uWS reference', ...fanoutRow(await fanoutThroughReference(reference, load)) });
    printTable(
      `Fan-out with one and two worker threads: ${load.messages} broadcasts to ${load.clients} subscribers, ${load.batch} per HTTP request`,
      rows,
    );
    printTable('How the node with --workers=2 spread the run', spread);
  } finally {
    reference.stop();
  }
}

/** Connections each worker holds while `load.clients` clients are open (the kernel spreads them). */
async function connectionsPerWorker(node: GatewayProcess, workers: number, load: FanoutLoad): Promise<number[]> {
  const sockets = (await pool(load.clients, 50, () => connectTimed(node.url))).map((result) => result.ws);
  try {
    return (await perWorker(node, workers)).map((worker) => worker.clients);
  } finally {
    closeAll(sockets);
  }
}
