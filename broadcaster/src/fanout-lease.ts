import { errorMessage } from '../../shared/src/errors';
import { RateLimitedLog, type Logger } from '../../shared/src/logger';
import type { RedisConnection } from '../../shared/src/redis/connect';
import { ReaderLease } from './adapters/reader-lease';
import type { PositioningTurn } from './adapters/adapter';
import type { BusTuning } from './tuning';

/**
 * Which node positions what a fan-out input (`redis`, `nats`, `actioncable`) brings: the holder of this lease alone
 * records each of its publications in the history and hands it to the pub/sub, so each publication gets one
 * offset. Every node hears the `redis` adapter's channel; the `actioncable` adapter hears Rails' channels
 * only on the holder. When the holder dies, another node takes the lease over.
 */
export class FanoutLease implements PositioningTurn {
  private leading = false;
  private readonly listeners: Array<(held: boolean) => void> = [];
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly lease: ReaderLease;
  private readonly failures: RateLimitedLog;

  constructor(
    redis: RedisConnection,
    channel: string,
    holder: string,
    private readonly tuning: BusTuning,
    private readonly logger: Logger,
  ) {
    this.lease = new ReaderLease(redis, `cableway:fanout:${channel}:positioner`, holder, tuning.leaseTtlMs);
    this.failures = new RateLimitedLog(logger, 'warn');
  }

  get held(): boolean {
    return this.leading;
  }

  onChange(listener: (held: boolean) => void): void {
    this.listeners.push(listener);
  }

  async start(): Promise<void> {
    await this.renew();
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.leading) await this.lease.release().catch(() => undefined);
    this.leading = false;
  }

  private async renew(): Promise<void> {
    let held = false;
    try {
      held = await this.lease.hold();
    } catch (error) {
      this.failures.log('fan-out positioning lease', { error: errorMessage(error) });
    }
    if (held !== this.leading) {
      this.leading = held;
      this.logger.info(held ? 'this node positions fan-out broadcasts' : 'another node positions fan-out broadcasts');
      for (const listener of this.listeners) listener(held);
    }
    if (!this.stopped) this.timer = setTimeout(() => void this.renew(), this.tuning.leaseRenewMs);
  }
}
