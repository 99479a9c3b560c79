import type { PresenceEvent, PresenceInfo, PresenceStore } from './presence';

interface Member {
  readonly info: string;
  /** Sessions present under this id. */
  readonly sids: Set<string>;
}

interface StreamPresence {
  readonly members: Map<string, Member>;
  /** Each session's presence id. */
  readonly ids: Map<string, string>;
  /** Expiry time of each session's presence, in ms. */
  readonly expiries: Map<string, number>;
}

/** Presence of a standalone node, in its memory. */
export class MemoryPresenceStore implements PresenceStore {
  private readonly streams = new Map<string, StreamPresence>();

  constructor(
    private readonly ttlSec: number,
    private readonly clock: () => number = Date.now,
  ) {}

  async join(stream: string, sid: string, id: string, info: string): Promise<readonly PresenceEvent[]> {
    let presence = this.streams.get(stream);
    if (!presence) {
      presence = { members: new Map(), ids: new Map(), expiries: new Map() };
      this.streams.set(stream, presence);
    }
    const events: PresenceEvent[] = [];
    const previous = presence.ids.get(sid);
    if (previous !== undefined && previous !== id) {
      const left = this.remove(stream, presence, sid);
      if (left) events.push(left);
      if (!this.streams.has(stream)) this.streams.set(stream, presence);
    }
    presence.expiries.set(sid, this.clock() + this.ttlSec * 1000);
    presence.ids.set(sid, id);
    const member = presence.members.get(id);
    if (member) member.sids.add(sid);
    else {
      presence.members.set(id, { info, sids: new Set([sid]) });
      events.push({ stream, type: 'join', id, info });
    }
    return events;
  }

  async leave(stream: string, sid: string): Promise<PresenceEvent | null> {
    const presence = this.streams.get(stream);
    return presence ? this.remove(stream, presence, sid) : null;
  }

  async info(stream: string): Promise<PresenceInfo> {
    const records = [...(this.streams.get(stream)?.members ?? new Map<string, Member>())].map(([id, member]) => ({
      id,
      info: member.info,
    }));
    return { total: records.length, records };
  }

  async touch(stream: string, sids: readonly string[]): Promise<void> {
    const presence = this.streams.get(stream);
    if (!presence) return;
    const expiresAt = this.clock() + this.ttlSec * 1000;
    for (const sid of sids) if (presence.expiries.has(sid)) presence.expiries.set(sid, expiresAt);
  }

  async expire(): Promise<readonly PresenceEvent[]> {
    const now = this.clock();
    const events: PresenceEvent[] = [];
    for (const [stream, presence] of this.streams) {
      for (const [sid, expiresAt] of presence.expiries) {
        if (expiresAt > now) continue;
        const event = this.remove(stream, presence, sid);
        if (event) events.push(event);
      }
    }
    return events;
  }

  private remove(stream: string, presence: StreamPresence, sid: string): PresenceEvent | null {
    const id = presence.ids.get(sid);
    presence.expiries.delete(sid);
    if (id === undefined) return null;
    presence.ids.delete(sid);
    const member = presence.members.get(id);
    member?.sids.delete(sid);
    if (member && member.sids.size > 0) return null;
    presence.members.delete(id);
    if (presence.members.size === 0) this.streams.delete(stream);
    return { stream, type: 'leave', id };
  }
}
