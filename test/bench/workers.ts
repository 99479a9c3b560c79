import { metricValue, startGateway, type GatewayProcess } from '../support/gateway';
import { fanoutRow, fanoutThroughNode, fanoutThroughReference, type FanoutLoad } from './fanout';
import { startReferenceServer } from './processes';
import { printTable } from './stats';

interface WorkerSample {
  readonly clients: number;
  readonly cpu: number;
}

/** Each worker's connections and CPU seconds so far, from the node's own per-worker metrics. */
function sampleWorkers(node: GatewayProcess, workers: number): Promise<WorkerSample[]> {
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
 * connections and its CPU over the workers during the run. With the load generator on the same two cores,
 * the scaling itself cannot be measured here; the per-worker figures show what it would be.
 */
export async function benchWorkers(load: FanoutLoad): Promise<void> {
  const reference = await startReferenceServer();
  try {
    const rows = [];
    const spread: Record<string, string | number>[] = [];
    for (const workers of [1, 2]) {
      const node = await startGateway({ public: true, log_level: 'warn', workers, metrics_http: '/metrics' });
      try {
        const samples: WorkerSample[][] = [];
        const sample = workers > 1 ? async () => void samples.push(await sampleWorkers(node, workers)) : undefined;
        const result = await fanoutThroughNode(node, load, 'actioncable-v1-json', sample);
        rows.push({ server: `Cableway, --workers=${workers}`, ...fanoutRow(result) });
        if (workers > 1) {
          const [before, after] = samples as [WorkerSample[], WorkerSample[]];
          const cpu = after.map((worker, index) => worker.cpu - before[index]!.cpu);
          const total = cpu.reduce((sum, seconds) => sum + seconds, 0);
          cpu.forEach((seconds, index) =>
            spread.push({
              worker: index,
              connections: before[index]!.clients,
              'CPU s in the fan-out': seconds.toFixed(2),
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
    printTable('How the node with --workers=2 spread the fan-out', spread);
  } finally {
    reference.stop();
  }
}
