import { AggregatorRegistry, type Gauge } from 'prom-client';
import type { Metrics } from '../../../shared/src/metrics';
import type { WorkerMetrics } from './messages';
import { Replies } from './replies';
import type { WorkerHandle } from './worker-handle';

/** A worker that does not hand its registry over in time is left out of that scrape. */
const COLLECT_TIMEOUT_MS = 2_000;

/** Metrics of every worker's registry also exported per worker, under a name of their own, with a `worker` label. */
const PER_WORKER = [
  { name: 'clients_num', perWorker: 'worker_clients_num', help: 'Authenticated connections, per worker thread' },
  { name: 'thread_cpu_seconds_total', perWorker: 'worker_cpu_seconds', help: 'CPU time used, per worker thread' },
  {
    name: 'thread_eventloop_utilization',
    perWorker: 'worker_eventloop_utilization',
    help: 'Share of the time a worker thread was busy since the last scrape, per worker thread',
  },
  {
    name: 'thread_eventloop_lag_p99_seconds',
    perWorker: 'worker_eventloop_lag_p99_seconds',
    help: '99th percentile of the event-loop delay since the last scrape, per worker thread',
  },
] as const;

/** The metrics of a node with workers: the primary's registry and every worker's, summed, with a per-worker view. */
export class NodeScrape {
  readonly contentType: string;
  private readonly collected = new Replies<WorkerMetrics | null>(COLLECT_TIMEOUT_MS, null);
  private readonly perWorker: readonly { readonly name: string; readonly gauge: Gauge<'worker'> }[];

  constructor(
    private readonly metrics: Metrics,
    /** The workers whose node listens. */
    private readonly live: () => readonly WorkerHandle[],
  ) {
    this.contentType = metrics.contentType;
    this.perWorker = PER_WORKER.map(({ name, perWorker, help }) => ({
      name: metrics.prefix + name,
      gauge: metrics.labelledGauge(perWorker, help, ['worker']),
    }));
  }

  async render(): Promise<string> {
    const live = this.live();
    const registries = await Promise.all(
      live.map((worker) => this.collected.request((id) => worker.post({ type: 'collect', id }))),
    );
    registries.forEach((registry, index) => {
      for (const { name, gauge } of this.perWorker) {
        const value = registry?.find((metric) => metric.name === name)?.values[0]?.value ?? 0;
        gauge.set({ worker: String(live[index]!.index) }, value);
      }
    });
    const own = await this.metrics.registry.getMetricsAsJSON();
    const present = registries.filter((registry): registry is WorkerMetrics => registry !== null);
    return AggregatorRegistry.aggregate([own, ...present]).metrics();
  }

  /** A worker's answer to `collect`. */
  collectedFrom(id: number, metrics: WorkerMetrics): void {
    this.collected.settle(id, metrics);
  }

  /** A worker that exited has no series of its own any more. */
  forget(worker: WorkerHandle): void {
    for (const { gauge } of this.perWorker) gauge.remove({ worker: String(worker.index) });
  }
}
