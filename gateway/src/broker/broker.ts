import type { StreamMessage } from '../../../shared/src/publication';
import type { MessagePositioner } from '../../../broadcaster/src/bus';
import type { StreamHistory } from './history';
import type { PresenceStore } from './presence';
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
  readonly presence: PresenceStore;
  /** Positions messages before they go to every node; null when the broker positions them on delivery. */
  readonly positioner: MessagePositioner | null;
  /** The delivery path through the broker to `target`. */
  deliveryTo(target: MessageTarget): MessageTarget;
  /** The node starts serving a stream. */
  streamOpened(stream: string): void;
  /** The node stopped serving a stream. */
  streamClosed(stream: string): void;
  /** False while the store it keeps its state in cannot be reached (the node's health then says so). */
  connected(): boolean;
  /**
   * Starts its housekeeping (expiry); resolves once its store can be reached, or after a short bound while
   * it cannot (the node then starts degraded, as it does while Redis is down).
   */
  start(): Promise<void>;
  stop(): void;
}
