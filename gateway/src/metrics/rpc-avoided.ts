import type { Counter } from 'prom-client';
import type { Metrics } from '../../../shared/src/metrics';

/** RPC calls the node made unnecessary by deciding locally, by the call they replace. */
export interface RpcAvoided {
  readonly connect: Counter.Internal;
  readonly subscribe: Counter.Internal;
  readonly unsubscribe: Counter.Internal;
  readonly disconnect: Counter.Internal;
  /** A restored session: neither Connect nor the Subscribe calls of its subscriptions. */
  readonly restore: Counter.Internal;
}

export function rpcAvoidedCounters(metrics: Metrics): RpcAvoided {
  const counter = metrics.counter(
    'rpc_avoided_total',
    'RPC calls made unnecessary by JWT identification, signed streams, restored sessions and skipped Disconnects',
    ['op'],
  );
  return {
    connect: counter.labels({ op: 'connect' }),
    subscribe: counter.labels({ op: 'subscribe' }),
    unsubscribe: counter.labels({ op: 'unsubscribe' }),
    disconnect: counter.labels({ op: 'disconnect' }),
    restore: counter.labels({ op: 'restore' }),
  };
}
