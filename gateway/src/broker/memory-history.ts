import { randomBytes } from 'node:crypto';
import { HistoryError } from '../../../shared/src/errors';
import { isRecordable, type StreamMessage, type StreamPosition } from '../../../shared/src/publication';
import type { StreamHistory } from './history';

export interface HistoryLimits {
  /** Messages kept per stream. */
  readonly limit: number;
  /** Seconds a message is kept. */
  readonly ttlSec: number;
}

interface Entry {
  readonly message: StreamMessage;
  /** Unix seconds when it was recorded. */
  readonly at: number;
}

interface MemoryStream {
  /** Offset of the last message recorded. */
  offset: number;
  readonly entries: Entry[];
  /** Unix seconds of the last message recorded. */
  touchedAt: number;
}

/** An idle stream keeps its offset counter this many TTLs, so a quiet stream does not restart from 1. */
const IDLE_STREAM_TTLS = 10;

const nowSec = (): number => Math.floor(Date.now() / 1000);

/**
 * The history of a standalone node: every stream's last messages in memory, under one epoch drawn at start
 * (a restarted node has a new epoch, so clients can tell its history was reset). Messages are positioned
 * here, as they enter the node, in delivery order.
 */
export class MemoryHistory implements StreamHistory {
  readonly epoch = randomBytes(3).toString('hex');
  private readonly streams = new Map<string, MemoryStream>();

  constructor(
    private readonly limits: HistoryLimits,
    private readonly clock: () => number = nowSec,
  ) {}

  /** Gives a message its position and keeps it; transient messages pass unpositioned and unkept. */
  record(message: StreamMessage): StreamMessage {
    if (!isRecordable(message)) return message;
    const now = this.clock();
    let stream = this.streams.get(message.stream);
    if (!stream) {
      stream = { offset: 0, entries: [], touchedAt: now };
      this.streams.set(message.stream, stream);
    }
    stream.offset += 1;
    stream.touchedAt = now;
    const positioned: StreamMessage = { ...message, position: { epoch: this.epoch, offset: stream.offset } };
    stream.entries.push({ message: positioned, at: now });
    if (stream.entries.length > this.limits.limit) stream.entries.shift();
    return positioned;
  }

  async after(name: string, position: StreamPosition): Promise<readonly StreamMessage[]> {
    if (position.epoch !== this.epoch) throw new HistoryError(`unknown epoch ${position.epoch}, current: ${this.epoch}`);
    const stream = this.streams.get(name);
    if (!stream) throw new HistoryError(`no history for stream ${name}`);
    if (position.offset > stream.offset) throw new HistoryError(`offset ${position.offset} is ahead of ${stream.offset}`);
    const entries = this.retained(stream);
    const missed = stream.offset - position.offset;
    if (missed > entries.length) throw new HistoryError(`offset ${position.offset} is older than the retained history`);
    return entries.slice(entries.length - missed).map((entry) => entry.message);
  }

  async since(name: string, sinceSec: number): Promise<readonly StreamMessage[]> {
    const stream = this.streams.get(name);
    if (!stream) return [];
    return this.retained(stream)
      .filter((entry) => entry.at >= sinceSec)
      .map((entry) => entry.message);
  }

  /** Drops expired messages, and streams idle for long; run periodically. */
  sweep(): void {
    const now = this.clock();
    for (const [name, stream] of this.streams) {
      this.retained(stream);
      if (now - stream.touchedAt > this.limits.ttlSec * IDLE_STREAM_TTLS) this.streams.delete(name);
    }
  }

  /** The stream's entries younger than the TTL (older ones are dropped on the way). */
  private retained(stream: MemoryStream): Entry[] {
    const oldest = this.clock() - this.limits.ttlSec;
    let expired = 0;
    while (expired < stream.entries.length && stream.entries[expired]!.at < oldest) expired += 1;
    if (expired > 0) stream.entries.splice(0, expired);
    return stream.entries;
  }
}
