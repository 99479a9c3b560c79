import type { ProbeTiming } from '../tuning';

export interface ProbeTarget {
  /** Both ends of the link are up, so an echo can be expected. */
  isReady(): boolean;
  publish(payload: string): Promise<unknown>;
  /**
   * No echo came back in time. `publisherAnswered` tells whether Redis acknowledged the PUBLISH: when it
   * did not, the publishing connection is as suspect as the subscribing one.
   */
  onMissing(publisherAnswered: boolean): void;
}

/**
 * A subscription can stay TCP-healthy while hearing nothing (a half-open socket, a demoted node after a
 * failover, a resubscribe that never happened). The probe publishes a token on the link's own channel at a
 * fixed interval and reports when the token does not come back.
 */
export class LivenessProbe {
  private interval: NodeJS.Timeout | null = null;
  private deadline: NodeJS.Timeout | null = null;
  private expected: string | null = null;
  private sequence = 0;

  constructor(
    private readonly target: ProbeTarget,
    private readonly timing: ProbeTiming,
    private readonly tokenPrefix: string,
  ) {}

  start(): void {
    this.interval = setInterval(() => this.send(), this.timing.intervalMs);
    this.interval.unref();
  }

  stop(): void {
    if (this.interval) clearInterval(this.interval);
    this.interval = null;
    this.settle();
  }

  /** A message arrived on the probe channel. */
  echo(payload: string): void {
    if (payload === this.expected) this.settle();
  }

  private send(): void {
    if (this.expected !== null || !this.target.isReady()) return;
    this.sequence += 1;
    const token = `${this.tokenPrefix}:${this.sequence}`;
    this.expected = token;
    let answered = false;
    this.target.publish(token).then(
      () => {
        answered = true;
      },
      // The publishing connection reports its own failures; no echo can be expected from this round.
      () => {
        if (this.expected === token) this.settle();
      },
    );
    this.deadline = setTimeout(() => {
      this.settle();
      this.target.onMissing(answered);
    }, this.timing.timeoutMs);
    this.deadline.unref();
  }

  private settle(): void {
    if (this.deadline) clearTimeout(this.deadline);
    this.deadline = null;
    this.expected = null;
  }
}
