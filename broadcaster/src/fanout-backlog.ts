import { isRecordable, type StreamMessage } from '../../shared/src/publication';

/** The newest message of a stream positioned from one fan-out input, as the stream's history keeps it. */
export interface PositionedOrigin {
  readonly origin: string;
  readonly data: string;
}

/** Reads, per stream, the newest message positioned from a fan-out input (null: none is retained). */
export interface PositionedLookup {
  lastPositioned(stream: string, input: string): Promise<PositionedOrigin | null>;
}

/** A message kept with its origin while this node does not surely position it. */
interface Kept {
  readonly origin: string;
  readonly mark: string;
  /** Its count after `mark`. */
  readonly count: number;
  readonly message: StreamMessage;
}

/** What a node about to position an input makes of its backlog. */
export interface TakenBack {
  /** The messages to position, in the order heard, each with its origin. */
  readonly unpositioned: ReadonlyArray<{ readonly message: StreamMessage; readonly origin: string }>;
  /** Streams left alone: the history's newest message does not match what this node heard in its place. */
  readonly mismatched: readonly string[];
}

/** Messages are kept since the watermark before the latest: a holder positions within far less than a renewal. */
const MARKS_KEPT = 2;

/**
 * Beyond either bound, the oldest kept messages go first, a tenth at a time (so that a long burst does not
 * move the whole backlog for every message): a burst this large would outlast the lease anyway.
 */
export const MAX_KEPT = 100_000;
/** Characters of message data kept, 64 MiB of strings at most. */
export const MAX_KEPT_CHARS = 32 * 1024 * 1024;

/**
 * Where each publication of one fan-out input stands, the same on every node: the holder's latest watermark
 * and the publication's count after it (its origin, `<input> <mark> <n>`), kept in the stream's history with
 * the message. A node that does not hold the turn keeps what it heard since the watermark before the latest,
 * so that if the holder dies, the node taking the lapsed lease positions exactly what the holder had not:
 * for each stream, what follows the newest message of this input its history holds.
 */
export class FanoutBacklog {
  private readonly marks: string[] = [];
  private mark = '';
  private count = 0;
  private kept: Kept[] = [];
  private keptChars = 0;

  constructor(private readonly input: string) {}

  /** A watermark heard on the input: what follows counts from it. */
  watermark(mark: string): void {
    this.mark = mark;
    this.count = 0;
    this.marks.push(mark);
    if (this.marks.length <= MARKS_KEPT) return;
    const dropped = this.marks.shift()!;
    const firstKept = this.kept.findIndex((entry) => entry.mark !== dropped);
    this.dropOldest(firstKept === -1 ? this.kept.length : firstKept);
  }

  /** The origin of the publication heard now. */
  next(): string {
    this.count += 1;
    return `${this.input} ${this.mark} ${this.count}`;
  }

  /**
   * Keeps a message this node does not surely position. Nothing is kept before the first watermark (its place could not be
   * matched with the holder's), nor transient messages (live only, never in a history).
   */
  keep(message: StreamMessage, origin: string): void {
    if (this.mark === '' || !isRecordable(message)) return;
    this.kept.push({ origin, mark: this.mark, count: this.count, message });
    this.keptChars += message.data.length;
    while (this.kept.length > MAX_KEPT || this.keptChars > MAX_KEPT_CHARS) {
      this.dropOldest(Math.ceil(this.kept.length / 10));
    }
  }

  /** Whether anything is kept. */
  keeps(): boolean {
    return this.kept.length > 0;
  }

  /** Forgets what was kept: this node positions from now on. */
  clear(): void {
    this.dropOldest(this.kept.length);
  }

  private dropOldest(count: number): void {
    for (const entry of this.kept.splice(0, count)) this.keptChars -= entry.message.data.length;
  }

  /**
   * What no node positioned, read against each kept stream's history. What arrives while the histories
   * are read is kept too and counted in. Call `clear` in the same turn as taking the positioning over, so
   * nothing heard in between is missed.
   */
  async takeBack(lookup: PositionedLookup): Promise<TakenBack> {
    if (this.kept.length === 0) return { unpositioned: [], mismatched: [] };
    const streams = [...new Set(this.kept.map((entry) => entry.message.stream))];
    const newest = new Map<string, PositionedOrigin | null>();
    await Promise.all(streams.map(async (stream) => newest.set(stream, await lookup.lastPositioned(stream, this.input))));
    const keptAt = new Map(this.kept.map((entry, index) => [entry.origin, index]));
    const resumeAfter = new Map<string, number>();
    const mismatched = new Set<string>();
    for (const [stream, positioned] of newest) {
      if (!positioned) continue;
      const index = keptAt.get(positioned.origin);
      if (index !== undefined) {
        if (this.kept[index]!.message.data === positioned.data) resumeAfter.set(stream, index);
        else mismatched.add(stream);
      } else if (!this.precedesKept(positioned.origin)) mismatched.add(stream);
    }
    const unpositioned = this.kept.flatMap((entry, index) => {
      const stream = entry.message.stream;
      if (mismatched.has(stream) || index <= (resumeAfter.get(stream) ?? -1)) return [];
      return [{ message: entry.message, origin: entry.origin }];
    });
    return { unpositioned, mismatched: [...mismatched] };
  }

  /**
   * Whether an origin this node did not keep comes before all it kept: its watermark is older than those it
   * knows, or it is the first kept one's and its count is lower. Otherwise it should have been kept: a hole.
   */
  private precedesKept(origin: string): boolean {
    // `<input> <mark> <n>`: a mark may hold spaces, an input and a count do not.
    const mark = origin.slice(origin.indexOf(' ') + 1, origin.lastIndexOf(' '));
    const count = Number(origin.slice(origin.lastIndexOf(' ') + 1));
    const first = this.kept[0]!;
    const markAt = this.marks.indexOf(mark);
    const firstMarkAt = this.marks.indexOf(first.mark);
    return markAt === -1 || markAt < firstMarkAt || (markAt === firstMarkAt && count < first.count);
  }
}
