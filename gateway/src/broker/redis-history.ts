import { randomBytes } from 'node:crypto';
import { HistoryError, errorMessage } from '../../../shared/src/errors';
import { isRecordable, type PublicationMeta, type StreamMessage, type StreamPosition } from '../../../shared/src/publication';
import type { RedisConnection } from '../../../shared/src/redis/connect';
import type { PositionedOrigin } from '../../../broadcaster/src/fanout-backlog';
import type { PositionedHistory } from './gap-repair';
import type { HistoryLimits } from './memory-history';
import { redisKeys } from './redis-keys';

/** The position record outlives its history this many TTLs, so a quiet stream keeps counting where it was. */
const POSITION_TTLS = 10;

/**
 * Gives messages of one stream the next offsets of the stream and appends them to its history, atomically:
 * one offset per publication for the whole cluster. A history created anew (first message, or after it
 * expired) gets a new epoch, so clients can tell it from the one they knew. Entry ids are `<offset>-0`.
 * ARGV: epoch candidate, limit, ttl, now, then data, meta and origin of each message (an origin, kept as
 * field `o` when not empty, is where a fan-out input's message stood in that input: see fanout-backlog).
 * Answers the epoch and the offset of the first message.
 */
const RECORD_SCRIPT = `
local epoch = redis.call('HGET', KEYS[2], 'epoch')
if not epoch then
  epoch = ARGV[1]
  redis.call('DEL', KEYS[1])
  redis.call('HSET', KEYS[2], 'epoch', epoch)
end
local count = (#ARGV - 4) / 3
local last = redis.call('HINCRBY', KEYS[2], 'offset', count)
for index = 1, count do
  local id = (last - count + index) .. '-0'
  local data, meta, origin = ARGV[2 + index * 3], ARGV[3 + index * 3], ARGV[4 + index * 3]
  if origin == '' then
    redis.call('XADD', KEYS[1], 'MAXLEN', ARGV[2], id, 'd', data, 'm', meta, 't', ARGV[4])
  else
    redis.call('XADD', KEYS[1], 'MAXLEN', ARGV[2], id, 'd', data, 'm', meta, 't', ARGV[4], 'o', origin)
  end
end
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call('EXPIRE', KEYS[2], ARGV[3] * ${POSITION_TTLS})
return {epoch, last - count + 1}`;

type StreamEntries = Array<[string, string[]]>;

interface StoredEntry {
  readonly message: StreamMessage;
  readonly at: number;
}

const nowSec = (): number => Math.floor(Date.now() / 1000);

function fieldsOf(values: readonly string[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (let index = 0; index + 1 < values.length; index += 2) fields[values[index]!] = values[index + 1]!;
  return fields;
}

/** Only what a replayed frame needs: its type. The excluded socket of a live message means nothing later. */
function storedMeta(meta: PublicationMeta | undefined): string {
  return meta?.broadcast_type ? JSON.stringify({ broadcast_type: meta.broadcast_type }) : '';
}

/**
 * The history of every stream in Redis, shared by the cluster: a Redis Stream per stream, trimmed to
 * history_limit entries and expiring history_ttl after its last message, beside its epoch and last offset.
 * Nothing here waits for a Redis that is down: calls fail at once, and the caller degrades.
 */
export class RedisHistory implements PositionedHistory {
  constructor(
    private readonly redis: RedisConnection,
    private readonly limits: HistoryLimits,
    private readonly clock: () => number = nowSec,
  ) {}

  /**
   * Positions and stores messages of one stream, in order, with one script call; transient ones pass as
   * they are, unstored. `origins`, when given, holds each message's origin in its fan-out input.
   */
  async record(
    stream: string,
    messages: readonly StreamMessage[],
    origins?: readonly string[],
  ): Promise<readonly StreamMessage[]> {
    const recorded: string[] = [];
    messages.forEach((message, index) => {
      if (isRecordable(message)) recorded.push(message.data, storedMeta(message.meta), origins?.[index] ?? '');
    });
    if (recorded.length === 0) return messages;
    this.requireReady();
    const reply = (await this.redis.call(
      'EVAL',
      RECORD_SCRIPT,
      2,
      redisKeys.history(stream),
      redisKeys.position(stream),
      randomBytes(3).toString('hex'),
      this.limits.limit,
      this.limits.ttlSec,
      this.clock(),
      ...recorded,
    )) as [string, number];
    const epoch = reply[0];
    let offset = Number(reply[1]);
    return messages.map((message) => (isRecordable(message) ? { ...message, position: { epoch, offset: offset++ } } : message));
  }

  async after(stream: string, position: StreamPosition): Promise<readonly StreamMessage[]> {
    const [epoch, latest, entries] = await this.read(stream, `${position.offset + 1}-0`);
    if (epoch === null) throw new HistoryError(`no history for stream ${stream}`);
    if (epoch !== position.epoch) throw new HistoryError(`unknown epoch ${position.epoch}, current: ${epoch}`);
    if (position.offset > latest) throw new HistoryError(`offset ${position.offset} is ahead of ${latest}`);
    const missed = latest - position.offset;
    if (missed === 0) return [];
    // Read in one MULTI: the entries are exactly those after the position, unless trimmed or expired.
    if (entries.length < missed || entries[0]!.message.position!.offset !== position.offset + 1) {
      throw new HistoryError(`offset ${position.offset} is older than the retained history`);
    }
    return entries.map((entry) => entry.message);
  }

  /**
   * The newest message of `stream` positioned from fan-out input `input` among the last `limit` entries (a
   * history holds no more), with its origin; null when none is.
   */
  async lastPositioned(stream: string, input: string): Promise<PositionedOrigin | null> {
    this.requireReady();
    const entries = (await this.redis.xrevrange(
      redisKeys.history(stream),
      '+',
      '-',
      'COUNT',
      this.limits.limit,
    )) as StreamEntries;
    const prefix = `${input} `;
    for (const [, values] of entries) {
      const fields = fieldsOf(values);
      if (fields.o?.startsWith(prefix)) return { origin: fields.o, data: fields.d ?? '' };
    }
    return null;
  }

  async latest(stream: string): Promise<StreamPosition | null> {
    this.requireReady();
    const [epoch, offset] = await this.redis.hmget(redisKeys.position(stream), 'epoch', 'offset');
    return epoch ? { epoch, offset: Number(offset ?? 0) } : null;
  }

  async since(stream: string, sinceSec: number): Promise<readonly StreamMessage[]> {
    const [, , entries] = await this.read(stream, '-');
    return entries.filter((entry) => entry.at >= sinceSec).map((entry) => entry.message);
  }

  /** The history's epoch, its last offset, and its entries from `start` that are younger than the TTL. */
  private async read(stream: string, start: string): Promise<[string | null, number, StoredEntry[]]> {
    this.requireReady();
    let replies: Array<[Error | null, unknown]> | null;
    try {
      replies = await this.redis
        .multi()
        .hmget(redisKeys.position(stream), 'epoch', 'offset')
        .xrange(redisKeys.history(stream), start, '+')
        .exec();
    } catch (error) {
      throw new HistoryError(`history could not be read: ${errorMessage(error)}`, { cause: error });
    }
    const [positionReply, rangeReply] = replies ?? [];
    if (!positionReply || !rangeReply || positionReply[0] || rangeReply[0]) throw new HistoryError('history could not be read');
    const [epoch, offset] = positionReply[1] as [string | null, string | null];
    if (epoch === null) return [null, 0, []];
    const oldest = this.clock() - this.limits.ttlSec;
    const entries: StoredEntry[] = [];
    for (const [id, values] of rangeReply[1] as StreamEntries) {
      const fields = fieldsOf(values);
      const at = Number(fields.t);
      if (at < oldest) continue;
      const meta = fields.m ? (JSON.parse(fields.m) as PublicationMeta) : undefined;
      const position = { epoch, offset: Number(id.slice(0, id.indexOf('-'))) };
      entries.push({ message: { stream, data: fields.d ?? '', ...(meta ? { meta } : {}), position }, at });
    }
    return [epoch, Number(offset ?? 0), entries];
  }

  private requireReady(): void {
    if (this.redis.status !== 'ready') throw new HistoryError('Redis is not connected');
  }
}
