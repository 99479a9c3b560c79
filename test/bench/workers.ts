import { metricValue, startGateway, type GatewayProcess } from '../support/gateway';
import {
  alternatedFanout,
  fanoutRatios,
  fanoutRow,
  nodeTarget,
  referenceTarget,
  type FanoutLoad,
  type FanoutTarget,
} from './fanout';
import { closeAll } from './load';
import { waitFor } from '../support/wait';
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
 * The same burst fan-out through a node with one event loop and a node with --workers=2, next to the bare
 * uWS reference, alternated over `rounds` rounds: CPU per delivery of the whole process (every thread), and
 * how the second node spread its connections and its CPU over the workers during its runs. With the load
 * generator on the same two cores, the scaling itself cannot be measured here; the per-worker figures show
 * what it would be.
 */
export async function benchWorkers(load: FanoutLoad, rounds: number): Promise<void> {
  const reference = await startReferenceServer();
  const nodes: GatewayProcess[] = [];
  const targets: FanoutTarget[] = [];
  try {
    const samples: WorkerSample[][] = [];
    for (const workers of [1, 2]) {
      const node = await startGateway({ public: true, log_level: 'warn', workers, metrics_http: '/metrics' });
      nodes.push(node);
      // With workers the node answers once one listens: connecting before the others do would crowd the first.
      const listening = async () => (await metricValue(node.httpUrl, 'cableway_workers_num')) === workers;
      if (workers > 1) await waitFor(listening, `${workers} workers listening`);
      const target = await nodeTarget(node, load, 'actioncable-v1-json');
      const sample = async () => void samples.push(await sampleWorkers(node, workers));
      targets.push(workers > 1 ? { ...target, sample } : target);
    }
    targets.push(await referenceTarget(reference, load));
    const [one, two, bare] = await alternatedFanout(targets, load, rounds);
    printTable(
      `Fan-out with one and two worker threads: ${load.messages} broadcasts to ${load.clients} subscribers, ` +
        `${load.batch} per HTTP request, ${rounds} rounds A B C A B C after one uncounted`,
      [
        { server: 'Cableway, --workers=1', ...fanoutRow(one!), ...fanoutRatios(one!, bare!) },
        { server: 'Cableway, --workers=2', ...fanoutRow(two!), ...fanoutRatios(two!, bare!) },
        { server: 'bare uWS reference', ...fanoutRow(bare!), ...fanoutRatios(bare!, bare!) },
      ],
    );
    printTable('How the node with --workers=2 spread the fan-out', spreadOver(samples));
  } finally {
    for (const target of targets) closeAll(target.sockets);
    reference.stop();
    for (const node of nodes) await node.stop();
  }
}

/** Each worker's connections and CPU over the measured runs, from samples taken before and after each. */
function spreadOver(samples: readonly WorkerSample[][]): Record<string, string | number>[] {
  const cpu = samples[0]!.map(() => 0);
  for (let run = 0; run + 1 < samples.length; run += 2) {
    samples[run + 1]!.forEach((worker, index) => (cpu[index]! += worker.cpu - samples[run]![index]!.cpu));
  }
  const total = cpu.reduce((sum, seconds) => sum + seconds, 0);
  return cpu.map((seconds, index) => ({
    worker: index,
    connections: samples[0]![index]!.clients,
    'CPU s in the fan-out': seconds.toFixed(2),
    'share of worker CPU': `${((seconds / total) * 100).toFixed(0)} %`,
  }));
}
