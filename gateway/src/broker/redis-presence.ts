import type { RedisConnection } from '../../../shared/src/redis/connect';
import type { PresenceEvent, PresenceInfo, PresenceStore } from './presence';

/**
 * Removes one session's presence; answers its id when it was the last session of that id (the member
 * leaves). KEYS: sids (sid → id), members (id → info), counts (id → sessions), expiries (sid by expiry).
 */
const REMOVE = `
local function remove(sid)
  redis.call('ZREM', KEYS[4], sid)
  local id = redis.call('HGET', KEYS[1], sid)
  if not id then return false end
  redis.call('HDEL', KEYS[1], sid)
  if redis.call('HINCRBY', KEYS[3], id, -1) <= 0 then
    redis.call('HDEL', KEYS[3], id)
    redis.call('HDEL', KEYS[2], id)
    return id
  end
  return false
end`;

/** ARGV: sid, id, info, expiry (ms). Answers the events due as [type, id, ...]. */
const JOIN_SCRIPT = `${REMOVE}
local events = {}
local previous = redis.call('HGET', KEYS[1], ARGV[1])
if previous == ARGV[2] then
  redis.call('ZADD', KEYS[4], ARGV[4], ARGV[1])
  return events
end
if previous then
  local left = remove(ARGV[1])
  if left then table.insert(events, 'leave') table.insert(events, left) end
end
redis.call('ZADD', KEYS[4], ARGV[4], ARGV[1])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
if redis.call('HINCRBY', KEYS[3], ARGV[2], 1) == 1 then
  redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
  table.insert(events, 'join') table.insert(events, ARGV[2])
end
return events`;

/** ARGV: sid. */
const LEAVE_SCRIPT = `${REMOVE}
return remove(ARGV[1])`;

/** ARGV: now (ms). Answers the ids that left. */
const EXPIRE_SCRIPT = `${REMOVE}
local left = {}
for _, sid in ipairs(redis.call('ZRANGEBYSCORE', KEYS[4], '-inf', ARGV[1])) do
  local id = remove(sid)
  if id then table.insert(left, id) end
end
return left`;

/** Streams with presence, so any node can expire the members of a node that died. */
const STREAMS_KEY = 'cableway:presence:streams';

function keysOf(stream: string): string[] {
  const base = `cableway:presence:{${stream}}`;
  return [`${base}:sids`, `${base}:members`, `${base}:counts`, `${base}:expiries`];
}

/** Presence of the whole cluster in Redis; every change is one script, so nodes never disagree on a member. */
export class RedisPresenceStore implements PresenceStore {
  constructor(
    private readonly redis: RedisConnection,
    private readonly ttlSec: number,
    private readonly clock: () => number = Date.now,
  ) {}

  async join(stream: string, sid: string, id: string, info: string): Promise<readonly PresenceEvent[]> {
    this.requireReady();
    const expiry = this.clock() + this.ttlSec * 1000;
    const [reply] = await Promise.all([
      this.redis.call('EVAL', JOIN_SCRIPT, 4, ...keysOf(stream), sid, id, info, expiry) as Promise<string[]>,
      this.redis.sadd(STREAMS_KEY, stream),
    ]);
    const events: PresenceEvent[] = [];
    for (let index = 0; index + 1 < reply.length; index += 2) {
      const type = reply[index] === 'join' ? 'join' : 'leave';
      const member = reply[index + 1]!;
      events.push(type === 'join' ? { stream, type, id: member, info } : { stream, type, id: member });
    }
    return events;
  }

  async leave(stream: string, sid: string): Promise<PresenceEvent | null> {
    this.requireReady();
    const id = (await this.redis.call('EVAL', LEAVE_SCRIPT, 4, ...keysOf(stream), sid)) as string | null;
    return id ? { stream, type: 'leave', id } : null;
  }

  async info(stream: string): Promise<PresenceInfo> {
    this.requireReady();
    const members = await this.redis.hgetall(keysOf(stream)[1]!);
    const records = Object.entries(members).map(([id, info]) => ({ id, info }));
    return { total: records.length, records };
  }

  async touch(stream: string, sids: readonly string[]): Promise<void> {
    if (sids.length === 0) return;
    this.requireReady();
    const expiry = this.clock() + this.ttlSec * 1000;
    await this.redis.zadd(keysOf(stream)[3]!, 'XX', ...sids.flatMap((sid) => [expiry, sid]));
  }

  async expire(): Promise<readonly PresenceEvent[]> {
    this.requireReady();
    const now = this.clock();
    const events: PresenceEvent[] = [];
    for (const stream of await this.redis.smembers(STREAMS_KEY)) {
      const keys = keysOf(stream);
      const left = (await this.redis.call('EVAL', EXPIRE_SCRIPT, 4, ...keys, now)) as string[];
      for (const id of left) events.push({ stream, type: 'leave', id });
      if ((await this.redis.zcard(keys[3]!)) === 0) await this.redis.srem(STREAMS_KEY, stream);
    }
    return events;
  }

  private requireReady(): void {
    if (this.redis.status !== 'ready') throw new Error('Redis is not connected');
  }
}
