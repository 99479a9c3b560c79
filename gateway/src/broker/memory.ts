import type { BrokerConfig } from '../config/config';
import type { BrokerCounters } from '../metrics/broker';
import type { Broker, MessageTarget } from './broker';
import { MemoryHistory } from './memory-history';
import { MemoryPresenceStore } from './memory-presence';
import { MemorySessionStore } from './memory-sessions';

const SWEEP_INTERVAL_MS = 1000;

/** The broker of a standalone node: history and sessions in its memory, messages positioned as they arrive. */
export class MemoryBroker implements Broker {
  readonly history: MemoryHistory;
  readonly sessions: MemorySessionStore | null;
  readonly presence: MemoryPresenceStore;
  /** A single node positions messages as they are delivered. */
  readonly positioner = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    config: BrokerConfig,
    private readonly counters: BrokerCounters,
  ) {
    this.history = new MemoryHistory({ limit: config.historyLimit, ttlSec: config.historyTtlSec });
    this.sessions = config.sessionsTtlSec > 0 ? new MemorySessionStore(config.sessionsTtlSec) : null;
    this.presence = new MemoryPresenceStore(config.presenceTtlSec);
  }

  deliveryTo(target: MessageTarget): MessageTarget {
    return {
      broadcast: (message) => {
        const positioned = this.history.record(message);
        if (positioned.position) this.counters.historyWrites.inc();
        target.broadcast(positioned);
      },
    };
  }

  streamOpened(): void {}

  streamClosed(): void {}

  connected(): boolean {
    return true;
  }

  start(): Promise<void> {
    this.timer = setInterval(() => {
      this.history.sweep();
      this.sessions?.sweep();
    }, SWEEP_INTERVAL_MS);
    this.timer.unref();
    return Promise.resolve();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
