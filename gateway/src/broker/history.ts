import type { StreamMessage, StreamPosition } from '../../../shared/src/publication';

/** A stream's retained messages, as clients catch up on them. Both throw HistoryError when they cannot answer. */
export interface StreamHistory {
  /** Every message after `position`, in order; fails unless the history holds all of them (same epoch, not trimmed). */
  after(stream: string, position: StreamPosition): Promise<readonly StreamMessage[]>;
  /** Every retained message stored at `sinceSec` (Unix seconds) or later, in order. */
  since(stream: string, sinceSec: number): Promise<readonly StreamMessage[]>;
}
