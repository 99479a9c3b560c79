import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** What the code that counts needs of a counter. */
export interface Tally {
  inc(by?: number): void;
}

class PlainTally implements Tally {
  value = 0;

  inc(by = 1): void {
    this.value += by;
  }
}

function childrenOf<V extends string, C>(values: readonly V[], create: (value: V) => C): Record<V, C> {
  return Object.fromEntries(values.map((value) => [value, create(value)])) as Record<V, C>;
}

/**
 * The node's Prometheus registry. Each module declares its own metrics through it, beside the code that
 * moves them; names get the configured prefix (`cableway_` by default, `anycable_go_` for AnyCable dashboards).
 * Labels are never taken from client input: their cardinality would be unbounded.
 */
export class Metrics {
  readonly registry = new Registry();

  /** `labels` are constant labels added to every metric (anycable-go's --metrics_tags). */
  constructor(
    readonly prefix: string,
    labels: Readonly<Record<string, string>> = {},
  ) {
    this.registry.setDefaultLabels(labels);
  }

  /** A counter moved by the code that counts, as a plain number: no prom-client call per event. */
  counter(name: string, help: string): Tally {
    const tally = new PlainTally();
    this.counterOf(name, help, () => tally.value);
    return tally;
  }

  /**
   * A counter with one label of a known, finite set of values: every child is exported at 0 from the first
   * scrape, so that rate() and alerts work on a fresh node.
   */
  counterBy<V extends string>(name: string, help: string, label: string, values: readonly V[]): Record<V, Tally> {
    const tallies = childrenOf(values, () => new PlainTally());
    new Counter({
      name: this.prefix + name,
      help,
      labelNames: [label],
      registers: [this.registry],
      collect(this: Counter<string>) {
        this.reset();
        for (const value of values) this.inc({ [label]: value }, tallies[value].value);
      },
    });
    return tallies;
  }

  /** A histogram with one label of a known, finite set of values, each exported at 0 from the first scrape. */
  histogramBy<V extends string>(
    name: string,
    help: string,
    label: string,
    values: readonly V[],
    buckets: readonly number[],
  ): Record<V, Histogram.Internal<string>> {
    const histogram = this.histogram(name, help, [label], buckets);
    return childrenOf(values, (value) => {
      histogram.zero({ [label]: value });
      return histogram.labels(value);
    });
  }

  /**
   * A gauge whose value is read when Prometheus scrapes, so nothing is updated per event. `aggregator`: how
   * the registries of a node's worker threads combine it (summed unless said otherwise).
   */
  gauge(name: string, help: string, read?: () => number, aggregator: 'sum' | 'max' = 'sum'): Gauge {
    return new Gauge({
      name: this.prefix + name,
      help,
      registers: [this.registry],
      aggregator,
      ...(read
        ? {
            collect(this: Gauge) {
              this.set(read());
            },
          }
        : {}),
    });
  }

  /** A gauge with labels, set by the code that knows its values. */
  labelledGauge<L extends string>(name: string, help: string, labelNames: readonly L[]): Gauge<L> {
    return new Gauge({ name: this.prefix + name, help, labelNames, registers: [this.registry] });
  }

  /**
   * A counter kept as a plain number by the code that moves it and handed to Prometheus when it scrapes.
   * `read` must never decrease.
   */
  counterOf(name: string, help: string, read: () => number): Counter {
    return new Counter({
      name: this.prefix + name,
      help,
      registers: [this.registry],
      collect(this: Counter) {
        this.reset();
        this.inc(read());
      },
    });
  }

  histogram<L extends string = never>(
    name: string,
    help: string,
    labelNames: readonly L[],
    buckets: readonly number[],
  ): Histogram<L> {
    return new Histogram({ name: this.prefix + name, help, labelNames, buckets: [...buckets], registers: [this.registry] });
  }

  /**
   * Process metrics (CPU, resident memory, event-loop lag, open file descriptors), and anycable-go's
   * `mem_sys_bytes` as the resident set size, so its dashboards find it.
   */
  collectProcessMetrics(): void {
    collectDefaultMetrics({ register: this.registry, prefix: this.prefix });
    this.gauge('mem_sys_bytes', 'Memory the process holds (resident set size)', () => process.memoryUsage.rss());
  }

  /** The Prometheus text exposition of every metric. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
