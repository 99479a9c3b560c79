import type { Session } from './session';

/**
 * Every authenticated session of this node, by sid and by connection identifiers. A sid taken from a
 * client's X-Request-ID may repeat; the set of sessions does not depend on it being unique. Identifiers are
 * mostly one user's one connection, so a lone session is kept as itself: a Set per user would cost ~200 bytes.
 */
export class SessionRegistry {
  private readonly sessions = new Set<Session>();
  private readonly bySid = new Map<string, Session>();
  private readonly byIdentifiers = new Map<string, Session | Set<Session>>();

  add(session: Session): void {
    this.sessions.add(session);
    this.bySid.set(session.sid, session);
    const held = this.byIdentifiers.get(session.identifiers);
    if (held === undefined) this.byIdentifiers.set(session.identifiers, session);
    else if (held instanceof Set) held.add(session);
    else if (held !== session) this.byIdentifiers.set(session.identifiers, new Set([held, session]));
  }

  remove(session: Session): void {
    this.sessions.delete(session);
    if (this.bySid.get(session.sid) === session) this.bySid.delete(session.sid);
    const held = this.byIdentifiers.get(session.identifiers);
    if (held === session) {
      this.byIdentifiers.delete(session.identifiers);
    } else if (held instanceof Set) {
      held.delete(session);
      if (held.size === 1) this.byIdentifiers.set(session.identifiers, held.values().next().value!);
    }
  }

  find(sid: string): Session | undefined {
    return this.bySid.get(sid);
  }

  /** Sessions whose identifiers equal `identifiers` byte for byte. */
  withIdentifiers(identifiers: string): readonly Session[] {
    const held = this.byIdentifiers.get(identifiers);
    if (held === undefined) return [];
    return held instanceof Set ? [...held] : [held];
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
