import type { StreamMessage, StreamPosition } from '../../../shared/src/publication';
import type { StreamSubscriber } from '../core/streams';
import { frameMessage, type BroadcastEncoder } from './frame';

/**
 * Live messages a subscription may collect while its history is read. Past it, the client is cut off: it
 * reconnects and resumes from the last position it received, so nothing is lost.
 */
const MAX_PENDING_MESSAGES = 1000;

function sameEpoch(a: StreamPosition, b: StreamPosition): boolean {
  return a.epoch === b.epoch;
}

/**
 * A subscription catching up on a stream's history, outside its topic: live messages wait until the
 * history reply is written, then every message is written once, in order (those the history already gave
 * are skipped), until the node's live delivery has passed what it was written and it can join its topic.
 */
export class HeldSubscription {
  /** Live messages that arrived before the history reply; null once it is written. */
  private pending: StreamMessage[] | null = [];
  /** Position of the last message written to it. */
  private written: StreamPosition | null = null;
  private readonly encodedIdentifier: string;

  constructor(
    readonly subscriber: StreamSubscriber,
    readonly identifier: string,
    private readonly encode: BroadcastEncoder,
  ) {
    this.encodedIdentifier = JSON.stringify(identifier);
  }

  /** A live message of the stream; true when it was written to the subscriber. */
  take(message: StreamMessage, payload: string): boolean {
    if (!this.pending) return this.write(message, payload);
    if (this.pending.length >= MAX_PENDING_MESSAGES) {
      this.subscriber.connection.close(1000, 'Too many messages while catching up');
      return false;
    }
    this.pending.push(message);
    return false;
  }

  /**
   * Writes the history reply, then the live messages that waited for it. `seen` is the position the client
   * already has on this stream (null: none); nothing up to it is written again.
   */
  catchUp(backlog: readonly StreamMessage[], seen: StreamPosition | null): void {
    const pending = this.pending ?? [];
    this.pending = null;
    this.written = seen;
    for (const message of backlog) this.write(message, frameMessage(message.data));
    for (const message of pending) this.write(message, frameMessage(message.data));
  }

  /** Whether every message the node delivers after `last` is new to this subscription, so it can join its topic. */
  caughtUpWith(last: StreamPosition | null): boolean {
    if (this.pending) return false;
    if (!this.written) return true;
    if (!last) return false;
    return !sameEpoch(last, this.written) || last.offset >= this.written.offset;
  }

  private write(message: StreamMessage, payload: string): boolean {
    const position = message.position;
    if (position && this.written && sameEpoch(position, this.written) && position.offset <= this.written.offset) return false;
    this.subscriber.connection.send([this.encode(this.encodedIdentifier, payload, message)]);
    if (position) this.written = position;
    return true;
  }
}
