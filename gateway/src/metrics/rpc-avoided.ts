import type { Counter } from 'prom-client';
import type { Metrics } from '../../../shared/src/metrics';

/** The RPC calls the node can make unnecessary by deciding locally. */
export const RPC_AVOIDED_OPS = ['connect', 'subscribe', 'unsubscribe', 'disconnect'] as const;
export type RpcAvoidedOp = (typeof RPC_AVOIDED_OPS)[number];

/** RPC calls the node made unnecessary by deciding locally, by the call they replace. */
export type RpcAvoided = Readonly<Record<RpcAvoidedOp, Counter.Internal>>;

export function rpcAvoidedCounters(metrics: Metrics): RpcAvoided {
  return metrics.counterBy(
    'rpc_avoided_total',
    'RPC calls made unnecessary by JWT identification, signed streams and skipped Disconnects',
    'op',
    RPC_AVOIDED_OPS,
  );
}
