import type { Metrics, Tally } from '../../../shared/src/metrics';

/** What the broker does with stream history, declared whether or not a broker runs, so dashboards always find them. */
export interface BrokerCounters {
  readonly historyWrites: Tally;
  readonly gapRepairs: Tally;
  readonly gapMisses: Tally;
  readonly duplicates: Tally;
}

export function brokerCounters(metrics: Metrics): BrokerCounters {
  return {
    historyWrites: metrics.counter('history_writes_total', 'Messages written to a stream history (once per publication)'),
    gapRepairs: metrics.counter('history_gap_repairs_total', 'Gaps in node-to-node delivery filled from the history'),
    gapMisses: metrics.counter('history_gap_misses_total', 'Gaps in node-to-node delivery the history could not fill'),
    duplicates: metrics.counter('history_duplicates_dropped_total', 'Positioned messages received twice, dropped'),
  };
}
