import type { SessionSnapshot } from '../core/session-snapshot';

/** Keeps snapshots of sessions by sid for sessions_ttl. Both calls reject when the store cannot be reached. */
export interface SessionStore {
  save(sid: string, snapshot: SessionSnapshot): Promise<void>;
  /** The snapshot saved under `sid`, or null when there is none (never saved, or expired). */
  load(sid: string): Promise<SessionSnapshot | null>;
}
