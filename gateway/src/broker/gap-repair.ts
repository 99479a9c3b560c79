import { errorMessage } from '../../../shared/src/errors';
import { RateLimitedLog, type Logger } from '../../../shared/src/logger';
import type { StreamMessage, StreamPosition } from '../../../shared/src/publication';
import type { BrokerCounters } from '../metrics/broker';
import type { MessageTarget } from './broker';
import type { StreamHistory } from './history';

/** A history that also tells where a stream stands now. */
export interface PositionedHistory extends StreamHistory {
  /** The stream's last position, or null when it has no history. */
  latest(stream: string): Promise<StreamPosition | null>;
}

interface StreamOrder {
  /** Position of the last message handed on; null until the first one (or the stream's position) is known. */
  last: StreamPosition | null;
  /** The stream had no history when the node started serving it: its first message is offset 1. */
  fresh: boolean;
  /** Messages held while the stream's position or missing messages are read; null when nothing is read. */
  waiting: StreamMessage[] | null;
}

/** Read through a function: a call in between may have started a repair. */
const isWaiting = (order: StreamOrder): boolean => order.waiting !== null;

const byOffset = (a: StreamMessage, b: StreamMessage): number => a.position!.offset - b.position!.offset;

/**
 * Hands positioned messages on in offset order, once each. When the node starts serving a stream it reads
 * where the stream stands, so messages racing each other from different nodes are put in order from the
 * first. A message arriving after a gap (a pub/sub message lost in a reconnect or a failover) waits while
 * the missing ones are read from the history; they are handed on first. Duplicates are dropped. Only what
 * the history no longer holds can be missed, and that is counted.
 */
export class GapRepair implements MessageTarget {
  private readonly streams = new Map<string, StreamOrder>();
  private readonly failureLog: RateLimitedLog;

  constructor(
    private readonly history: PositionedHistory,
    private readonly target: MessageTarget,
    private readonly counters: BrokerCounters,
    logger: Logger,
  ) {
    this.failureLog = new RateLimitedLog(logger, 'warn');
  }

  /** The node starts serving a stream: messages wait until its current position is known. */
  open(stream: string): void {
    if (this.streams.has(stream)) return;
    const order: StreamOrder = { last: null, fresh: false, waiting: [] };
    this.streams.set(stream, order);
    void this.readPosition(stream, order);
  }

  /** The node stopped serving a stream: its order starts over when it serves it again. */
  forget(stream: string): void {
    this.streams.delete(stream);
  }

  broadcast(message: StreamMessage): void {
    const position = message.position;
    if (!position) return this.target.broadcast(message);
    const order = this.streams.get(message.stream);
    if (!order) {
      this.streams.set(message.stream, { last: position, fresh: false, waiting: null });
      return this.target.broadcast(message);
    }
    if (order.waiting) {
      order.waiting.push(message);
      return;
    }
    if (!order.last && order.fresh) order.last = { epoch: position.epoch, offset: 0 };
    const last = order.last;
    if (last && position.epoch === last.epoch && position.offset > last.offset + 1) {
      order.waiting = [message];
      void this.repair(message.stream, order, last);
      return;
    }
    this.handOn(order, message);
  }

  private async readPosition(stream: string, order: StreamOrder): Promise<void> {
    try {
      order.last = await this.history.latest(stream);
      order.fresh = order.last === null;
    } catch (error) {
      // Without it, the first message to arrive sets the order.
      this.failureLog.log('the position of a stream could not be read', { stream, error: errorMessage(error) });
    }
    if (this.streams.get(stream) !== order) return;
    const waiting = (order.waiting ?? []).sort(byOffset);
    order.waiting = null;
    for (let index = 0; index < waiting.length; index += 1) {
      if (isWaiting(order)) {
        // A gap opened a repair: the rest waits for it.
        order.waiting!.push(...waiting.slice(index));
        return;
      }
      this.broadcast(waiting[index]!);
    }
  }

  private async repair(stream: string, order: StreamOrder, last: StreamPosition): Promise<void> {
    try {
      const missed = await this.history.after(stream, last);
      if (this.streams.get(stream) !== order) return;
      for (const message of missed) this.handOn(order, message);
      this.counters.gapRepairs.inc();
    } catch (error) {
      this.counters.gapMisses.inc();
      this.failureLog.log('a gap in stream delivery could not be filled from the history', {
        stream,
        after: last.offset,
        error: errorMessage(error),
      });
    }
    if (this.streams.get(stream) !== order) return;
    const waiting = (order.waiting ?? []).sort(byOffset);
    order.waiting = null;
    for (const message of waiting) this.handOn(order, message);
  }

  /** Hands a message on unless it is one already handed on; a new epoch (the history was reset) starts over. */
  private handOn(order: StreamOrder, message: StreamMessage): void {
    const position = message.position!;
    const last = order.last;
    if (last && position.epoch === last.epoch && position.offset <= last.offset) {
      this.counters.duplicates.inc();
      return;
    }
    order.last = position;
    this.target.broadcast(message);
  }
}
