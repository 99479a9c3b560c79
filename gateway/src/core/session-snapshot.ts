import type { StateMap } from './controller';

/** What an extended-protocol session needs to resume on any node without a Connect or Subscribe call. */
export interface SessionSnapshot {
  readonly identifiers: string;
  readonly cstate: StateMap | null;
  /** Whether the Rails app must hear of its disconnect (disconnect_mode=auto). */
  readonly rpcInterest: boolean;
  /** By channel identifier. */
  readonly subscriptions: Readonly<Record<string, { readonly streams: readonly string[]; readonly istate: StateMap | null }>>;
}
