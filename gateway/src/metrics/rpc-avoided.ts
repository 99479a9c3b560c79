import type { Metrics, Tally } from '../../../shared/src/metrics';

/**
 * The RPC calls the node can make unnecessary by deciding locally; `restore` is a restored session, which
 * needs neither Connect nor the Subscribe calls of its subscriptions.
 */
export const RPC_AVOIDED_OPS = ['connect', 'subscribe', 'unsubscribe', 'disconnect', 'restore'] as const;
export type RpcAvoidedOp = (typeof RPC_AVOIDED_OPS)[number];

/** RPC calls the node made unnecessary by deciding locally, by the call they replace. */
export type RpcAvoided = Readonly<Record<RpcAvoidedOp, Tally>>;

export function rpcAvoidedCounters(metrics: Metrics): RpcAvoided {
  return metrics.counterBy(
    'rpc_avoided_total',
    'RPC calls made unnecessary by JWT identification, signed streams, restored sessions and skipped Disconnects',
    'op',
    RPC_AVOIDED_OPS,
  );
}
