import type { Metrics, Tally } from '../../../shared/src/metrics';

/** Counters of client frames, shared by the queue (frames dropped) and the commands (frames handled). */
export interface ClientMessageCounters {
  readonly received: Tally;
  readonly failed: Tally;
}

export function clientMessageCounters(metrics: Metrics): ClientMessageCounters {
  return {
    received: metrics.counter('client_msg_total', 'Frames received from clients'),
    failed: metrics.counter('failed_client_msg_total', 'Client frames that were malformed or whose command failed'),
  };
}
