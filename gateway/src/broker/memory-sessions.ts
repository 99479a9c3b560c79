import type { SessionSnapshot } from '../core/session-snapshot';
import type { SessionStore } from './sessions';

interface Stored {
  /** Kept as JSON text, as a remote store would keep it: a restored session shares nothing with the old one. */
  readonly json: string;
  readonly expiresAt: number;
}

/** Sessions of a standalone node, in its memory. */
export class MemorySessionStore implements SessionStore {
  private readonly sessions = new Map<string, Stored>();

  constructor(
    private readonly ttlSec: number,
    private readonly clock: () => number = Date.now,
  ) {}

  async save(sid: string, snapshot: SessionSnapshot): Promise<void> {
    this.sessions.set(sid, { json: JSON.stringify(snapshot), expiresAt: this.clock() + this.ttlSec * 1000 });
  }

  async load(sid: string): Promise<SessionSnapshot | null> {
    const stored = this.sessions.get(sid);
    if (!stored) return null;
    if (stored.expiresAt <= this.clock()) {
      this.sessions.delete(sid);
      return null;
    }
    return JSON.parse(stored.json) as SessionSnapshot;
  }

  /** Drops expired sessions; run periodically. */
  sweep(): void {
    const now = this.clock();
    for (const [sid, stored] of this.sessions) if (stored.expiresAt <= now) this.sessions.delete(sid);
  }
}
