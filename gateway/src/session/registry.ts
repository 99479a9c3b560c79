import type { Session } from './session';

/**
 * Every authenticated session of this node, by sid and by connection identifiers. A sid taken from a
 * client's X-Request-ID may repeat; the set of sessions does not depend on it being unique.
 */
export class SessionRegistry {
  private readonly sessions = new Set<Session>();
  private readonly bySid = new Map<string, Session>();
  private readonly byIdentifiers = new Map<string, Set<Session>>();

  add(session: Session): void {
    this.sessions.add(session);
    this.bySid.set(session.sid, session);
    let sessions = this.byIdentifiers.get(session.identifiers);
    if (!sessions) {
      sessions = new Set();
      this.byIdentifiers.set(session.identifiers, sessions);
    }
    sessions.add(session);
  }

  remove(session: Session): void {
    this.sessions.delete(session);
    if (this.bySid.get(session.sid) === session) this.bySid.delete(session.sid);
    const sessions = this.byIdentifiers.get(session.identifiers);
    if (!sessions) return;
    sessions.delete(session);
    if (sessions.size === 0) this.byIdentifiers.delete(session.identifiers);
  }

  find(sid: string): Session | undefined {
    return this.bySid.get(sid);
  }

  /** Sessions whose identifiers equal `identifiers` byte for byte. */
  withIdentifiers(identifiers: string): readonly Session[] {
    const sessions = this.byIdentifiers.get(identifiers);
    return sessions ? [...sessions] : [];
  }

  get size(): number {
    return this.sessions.size;
  }

  get uniqueIdentifiers(): number {
    return this.byIdentifiers.size;
  }

  all(): IterableIterator<Session> {
    return this.sessions.values();
  }
}
