import { errorMessage } from '../../../shared/src/errors';
import { RateLimitedLog, type Logger } from '../../../shared/src/logger';
import type { BrokerCounters } from '../metrics/broker';
import type { StreamMessage, StreamPosition } from '../../../shared/src/publication';
import type { MessageTarget } from './broker';
import type { StreamHistory } from './history';

interface StreamOrder {
  /** Position of the last message handed on. */
  last: StreamPosition;
  /** Messages that arrived while missing ones are read from the history; null when none is being read. */
  waiting: StreamMessage[] | null;
}

/**
 * Hands positioned messages on in offset order, once each. A message arriving after a gap (a pub/sub message
 * lost in a reconnect or a failover) waits while the missing ones are read from the history; they are handed
 * on first. Duplicates (a message both repaired and received) are dropped. Only what the history no longer
 * holds can be missed, and that is counted.
 */
export class GapRepair implements MessageTarget {
  private readonly streams = new Map<string, StreamOrder>();
  private readonly failureLog: RateLimitedLog;

  constructor(
    private readonly history: StreamHistory,
    private readonly target: MessageTarget,
    private readonly counters: BrokerCounters,
    logger: Logger,
  ) {
    this.failureLog = new RateLimitedLog(logger, 'warn');
  }

  broadcast(message: StreamMessage): void {
    const position = message.position;
    if (!position) return this.target.broadcast(message);
    const order = this.streams.get(message.stream);
    if (!order) {
      this.streams.set(message.stream, { last: position, waiting: null });
      return this.target.broadcast(message);
    }
    if (order.waiting) {
      order.waiting.push(message);
      return;
    }
    if (position.epoch === order.last.epoch && position.offset > order.last.offset + 1) {
      order.waiting = [message];
      void this.repair(message.stream, order);
      return;
    }
    this.handOn(order, message);
  }

  /** The node stopped serving a stream: its order starts over when it serves it again. */
  forget(stream: string): void {
    this.streams.delete(stream);
  }

  private async repair(stream: string, order: StreamOrder): Promise<void> {
    try {
      const missed = await this.history.after(stream, order.last);
      if (this.streams.get(stream) !== order) return;
      for (const message of missed) this.handOn(order, message);
      this.counters.gapRepairs.inc();
    } catch (error) {
      this.counters.gapMisses.inc();
      this.failureLog.log('a gap in stream delivery could not be filled from the history', {
        stream,
        after: order.last.offset,
        error: errorMessage(error),
      });
    }
    if (this.streams.get(stream) !== order) return;
    const waiting = (order.waiting ?? []).sort((a, b) => a.position!.offset - b.position!.offset);
    order.waiting = null;
    for (const message of waiting) this.handOn(order, message);
  }

  /** Hands a message on unless it is one already handed on; a new epoch (the history was reset) starts over. */
  private handOn(order: StreamOrder, message: StreamMessage): void {
    const position = message.position!;
    if (position.epoch === order.last.epoch && position.offset <= order.last.offset) {
      this.counters.duplicates.inc();
      return;
    }
    order.last = position;
    this.target.broadcast(message);
  }
}
