import { CablewayError, errorMessage } from '../../../shared/src/errors';
import { RateLimitedLog, type Logger } from '../../../shared/src/logger';
import type { Metrics } from '../../../shared/src/metrics';
import type { DisconnectRequest, Disconnector } from '../core/controller';
import type { GatewayConfig } from '../config/config';

export type DisconnectQueueOptions = Pick<GatewayConfig['disconnect'], 'ratePerSec' | 'backlog'>;

interface QueuedDisconnect {
  readonly request: DisconnectRequest;
  readonly made: () => void;
}

/**
 * Spreads Disconnect calls out to at most `ratePerSec` a second, so that thousands of clients leaving at
 * once (a deploy, a network blip) do not arrive at the Rails app at once. When `backlog` calls wait, the
 * oldest is made at once instead of being dropped: the Rails app must hear of every connection's end.
 * Failures are logged here (rate-limited) and counted by the RPC caller (`rpc_error_total`).
 */
export class DisconnectQueue implements Disconnector {
  private readonly waiting: QueuedDisconnect[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly intervalMs: number;
  private readonly failures: RateLimitedLog;
  /** When the next call may start, in epoch milliseconds. */
  private nextStartAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private draining = false;

  constructor(
    private readonly target: Disconnector,
    private readonly options: DisconnectQueueOptions,
    metrics: Metrics,
    logger: Logger,
  ) {
    this.intervalMs = 1000 / options.ratePerSec;
    this.failures = new RateLimitedLog(logger.child({ component: 'rpc' }), 'warn');
    metrics.gauge(
      'disconnect_queue_size',
      'Disconnect calls waiting for their turn (--disconnect_rate)',
      () => this.waiting.length,
    );
  }

  /** Resolves once the call has been made, whatever its outcome; it never rejects. */
  disconnect(request: DisconnectRequest): Promise<void> {
    return new Promise((made) => {
      const entry = { request, made };
      if (this.draining) {
        this.start(entry);
        return;
      }
      if (this.waiting.length >= this.options.backlog) this.start(this.waiting.shift()!);
      this.waiting.push(entry);
      this.schedule();
    });
  }

  /**
   * For shutdown: makes every waiting call now, regardless of the rate, as well as any queued from now on,
   * and resolves when the calls started so far have been made or at `deadlineMs` (epoch milliseconds),
   * whichever is first.
   */
  async drain(deadlineMs: number): Promise<void> {
    this.draining = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const entry of this.waiting.splice(0)) this.start(entry);
    let deadline: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(this.inFlight),
      new Promise((resolve) => {
        deadline = setTimeout(resolve, Math.max(0, deadlineMs - Date.now()));
      }),
    ]);
    clearTimeout(deadline);
  }

  private schedule(): void {
    if (this.timer !== undefined || this.waiting.length === 0) return;
    const now = Date.now();
    this.nextStartAt = Math.max(this.nextStartAt, now);
    this.timer = setTimeout(this.startDue, this.nextStartAt - now);
  }

  /** Starts every call whose turn has come; a late timer catches up without exceeding the rate on average. */
  private readonly startDue = (): void => {
    this.timer = undefined;
    const now = Date.now();
    while (this.waiting.length > 0 && this.nextStartAt <= now) {
      this.start(this.waiting.shift()!);
      this.nextStartAt += this.intervalMs;
    }
    this.schedule();
  };

  private start(entry: QueuedDisconnect): void {
    const call = this.target
      .disconnect(entry.request)
      .catch((error: unknown) => {
        this.failures.log('Disconnect call failed', {
          sid: entry.request.sid,
          code: error instanceof CablewayError ? error.code : undefined,
          error: errorMessage(error),
        });
      })
      .finally(() => {
        this.inFlight.delete(call);
        entry.made();
      });
    this.inFlight.add(call);
  }
}
