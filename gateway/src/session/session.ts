import type { RequestEnv, StateMap } from '../core/controller';
import type { Connection } from '../core/connection';
import type { ProtocolName } from '../core/protocol';
import type { StreamSubscriber } from '../core/streams';
import type { ClientCommand } from '../protocol/commands';
import type { QueuedSession } from './command-queue';
import type { WaitingLine } from './waiting-line';

/** A confirmed subscription: the streams it receives and its channel state. */
export interface Subscription {
  readonly streams: Set<string>;
  istate: StateMap | null;
}

/**
 * One authenticated connection. Kept small: maps are created on first use, nothing is copied per command.
 * Commands are handled one at a time, in arrival order (see CommandQueue).
 */
export class Session implements StreamSubscriber, QueuedSession<ClientCommand> {
  cstate: StateMap | null;
  subscriptions: Map<string, Subscription> | null = null;
  /** True once the Rails app has taken part, so it must hear of the disconnect (disconnect_mode=auto). */
  rpcInterest: boolean;
  closed = false;
  /** Commands waiting while an earlier one is still being handled. */
  pending: WaitingLine<ClientCommand> | null = null;
  busy = false;
  /** Settles once the node hears every stream of a restored session; null when it does already. */
  listening: Promise<void> | null = null;
  /** Streams this session is present on. */
  presence: Set<string> | null = null;

  constructor(
    readonly sid: string,
    readonly identifiers: string,
    readonly env: RequestEnv,
    readonly connection: Connection,
    readonly protocol: ProtocolName,
    readonly pingTopic: string | null,
    cstate: StateMap | null,
    rpcInterest: boolean,
  ) {
    this.cstate = cstate;
    this.rpcInterest = rpcInterest;
  }

  subscription(identifier: string): Subscription | undefined {
    return this.subscriptions?.get(identifier);
  }

  addSubscription(identifier: string): Subscription {
    const subscription: Subscription = { streams: new Set(), istate: null };
    (this.subscriptions ??= new Map()).set(identifier, subscription);
    return subscription;
  }

  removeSubscription(identifier: string): void {
    this.subscriptions?.delete(identifier);
  }
}
