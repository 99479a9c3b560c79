/** One member of a stream's presence: a presence id (a user, say) however many connections share it. */
export interface PresenceRecord {
  readonly id: string;
  /** What the client or the Rails app said about the member, as JSON text. */
  readonly info: string;
}

export interface PresenceInfo {
  readonly total: number;
  readonly records: readonly PresenceRecord[];
}

export const PRESENCE_EVENT_TYPES = ['join', 'leave'] as const;
export type PresenceEventType = (typeof PRESENCE_EVENT_TYPES)[number];

/** A member's presence changed on a stream: every subscriber of the stream hears of it. */
export interface PresenceEvent {
  readonly stream: string;
  readonly type: PresenceEventType;
  readonly id: string;
  /** JSON text; set for joins. */
  readonly info?: string;
}

/**
 * Presence per stream, one member per presence id across every session (and every node) that joined with
 * it. A session's presence lasts while it is touched; sessions that stop being touched (their connection
 * dropped) leave when their TTL passes. Every call rejects when the store cannot be reached.
 */
export interface PresenceStore {
  /**
   * Resolves with the events due: a join when `id` was not present on `stream` before (and a leave first when
   * the session was present under another id that it alone held).
   */
  join(stream: string, sid: string, id: string, info: string): Promise<readonly PresenceEvent[]>;
  /** Resolves with the leave event when the session was the last one of its id on `stream`. */
  leave(stream: string, sid: string): Promise<PresenceEvent | null>;
  info(stream: string): Promise<PresenceInfo>;
  /** Keeps the presence of these live sessions on `stream` from expiring. */
  touch(stream: string, sids: readonly string[]): Promise<void>;
  /** Removes sessions whose TTL passed; resolves with the leave events due. */
  expire(): Promise<readonly PresenceEvent[]>;
}
