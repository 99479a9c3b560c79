import type { PingPrecision } from '../config/config';
import type { Traffic } from '../metrics/traffic';
import { pingFrame } from '../protocol/frames';
import type { TopicPublisher } from '../core/connection';

interface PingGroup {
  readonly intervalSec: number;
  readonly precision: PingPrecision;
  members: number;
}

const PRECISIONS: readonly PingPrecision[] = ['s', 'ms', 'ns'];
const MAX_INTERVAL_SEC = 3600;

function timestamp(precision: PingPrecision, nowMs: number): string {
  switch (precision) {
    case 's':
      return String(Math.floor(nowMs / 1000));
    case 'ms':
      return String(nowMs);
    case 'ns':
      return (BigInt(nowMs) * 1_000_000n).toString();
  }
}

/**
 * Pings every connection with one publish per ping topic per tick, and no timer per connection. A topic is
 * an (interval, precision) pair; connections pick theirs with `?pi=` and `?ptp=`.
 */
export class Keepalive {
  private readonly groups = new Map<string, PingGroup>();
  private timer: NodeJS.Timeout | null = null;
  private elapsedSec = 0;

  constructor(
    private readonly publisher: TopicPublisher,
    private readonly defaultIntervalSec: number,
    private readonly defaultPrecision: PingPrecision,
    private readonly traffic: Traffic,
    /** Told of every ping topic just pinged (native pings go out per connection). */
    private readonly onPing: ((topic: string) => void) | null = null,
  ) {}

  /** The ping topic for a connection's query parameters; null when it asked for no pings (`pi=0`). */
  topicFor(params: URLSearchParams): string | null {
    const pi = params.get('pi');
    const ptp = params.get('ptp');
    const requested = pi === null || pi === '' ? NaN : Number(pi);
    const intervalSec =
      Number.isInteger(requested) && requested >= 0 && requested <= MAX_INTERVAL_SEC ? requested : this.defaultIntervalSec;
    if (intervalSec === 0) return null;
    const precision = PRECISIONS.find((candidate) => candidate === ptp) ?? this.defaultPrecision;
    return `ping:${intervalSec}:${precision}`;
  }

  join(topic: string): void {
    let group = this.groups.get(topic);
    if (!group) {
      const [, interval, precision] = topic.split(':');
      group = { intervalSec: Number(interval), precision: precision as PingPrecision, members: 0 };
      this.groups.set(topic, group);
    }
    group.members += 1;
  }

  leave(topic: string): void {
    const group = this.groups.get(topic);
    if (!group) return;
    group.members -= 1;
    if (group.members === 0) this.groups.delete(topic);
  }

  start(): void {
    this.timer = setInterval(() => this.tick(), 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private tick(): void {
    this.elapsedSec += 1;
    const now = Date.now();
    for (const [topic, group] of this.groups) {
      if (this.elapsedSec % group.intervalSec !== 0) continue;
      const frame = pingFrame(timestamp(group.precision, now));
      this.publisher.publish(topic, frame);
      this.traffic.pinged(frame, group.members);
      this.onPing?.(topic);
    }
  }
}
