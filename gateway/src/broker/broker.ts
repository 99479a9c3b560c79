import type { StreamMessage } from '../../../shared/src/publication';
import type { StreamHistory } from './history';
import type { SessionStore } from './sessions';

/** Where the node hands the messages it must deliver to its subscribers (the hub). */
export interface MessageTarget {
  broadcast(message: StreamMessage): void;
}

/**
 * Stream history, resumable sessions (and presence) for the node: between the broadcast bus and the hub,
 * it gives messages their position before they are delivered.
 */
export interface Broker {
  readonly history: StreamHistory;
  /** null when sessions are not kept (sessions_ttl=0). */
  readonly sessions: SessionStore | null;
  /** The delivery path through the broker to `target`. */
  deliveryTo(target: MessageTarget): MessageTarget;
  /** Starts its housekeeping (expiry). */
  start(): void;
  stop(): void;
}
