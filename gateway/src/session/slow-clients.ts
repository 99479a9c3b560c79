import type { Metrics } from '../../../shared/src/metrics';
import type { Session } from './session';

/**
 * Finds sessions whose unsent backlog passed ws_max_pending_size and disconnects them as too_slow. uWS
 * writes broadcasts in native code without telling JS, so the backlog is checked on a short interval;
 * uWS's own hard limit, far above this one, cuts a client that outruns even that.
 */
const SWEEP_INTERVAL_MS = 250;

export class SlowClientSweeper {
  private timer: NodeJS.Timeout | null = null;
  private readonly disconnected;

  constructor(
    private readonly sessions: () => Iterable<Session>,
    private readonly limit: number,
    private readonly disconnect: (session: Session) => void,
    metrics: Metrics,
  ) {
    this.disconnected = metrics.counter('disconnected_slow_clients_total', 'Clients disconnected for not reading fast enough');
  }

  start(): void {
    if (this.limit <= 0) return;
    this.timer = setInterval(() => this.sweep(), SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  sweep(): void {
    for (const session of this.sessions()) {
      if (!session.closed && session.connection.bufferedAmount() > this.limit) {
        this.disconnected.inc();
        this.disconnect(session);
      }
    }
  }
}
