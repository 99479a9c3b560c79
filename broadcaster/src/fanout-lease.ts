import { errorMessage } from '../../shared/src/errors';
import { RateLimitedLog, type Logger } from '../../shared/src/logger';
import type { Tally } from '../../shared/src/metrics';
import type { RedisConnection } from '../../shared/src/redis/connect';
import { ReaderLease, type HoldOutcome } from './adapters/reader-lease';
import type { FenceLine, PositioningTurn } from './adapters/adapter';
import { settledWithin, valueWithin } from './bounded';
import { fenceText, readFence, type HandoverFence } from './handover-fence';
import type { FanoutTakeover } from './metrics';
import type { BusTuning } from './tuning';

/** One fan-out input's share of the lease: held while this node positions what the input brings. */
class InputTurn implements PositioningTurn {
  held = false;
  line: FenceLine | null = null;
  private readonly listeners: Array<(held: boolean) => void> = [];

  constructor(private readonly heard: (turn: InputTurn, fence: string) => void) {}

  onChange(listener: (held: boolean) => void): void {
    this.listeners.push(listener);
  }

  handOverThrough(line: FenceLine): void {
    this.line = line;
  }

  fenceHeard(fence: string): void {
    this.heard(this, fence);
  }

  set(held: boolean): void {
    if (held === this.held) return;
    this.held = held;
    for (const listener of this.listeners) listener(held);
  }
}

/** Turns still waiting for their fence, what each does when its fence goes by, and how the wait ends. */
interface Handover {
  readonly fence: HandoverFence;
  readonly pending: Set<InputTurn>;
  readonly passed: (turn: InputTurn) => void;
  readonly finish: (complete: boolean) => void;
}

/**
 * Which node positions what a fan-out input (`redis`, `nats`, `actioncable`) brings: the holder of this lease
 * alone records each of its publications in the history and hands it to the pub/sub, so each publication
 * gets one offset. Every node hears the `redis` and `nats` adapters; the `actioncable` adapter hears Rails'
 * channels only on the holder.
 *
 * A holder that dies loses the lease once it lapses, and what is published until another node takes it is
 * lost. A holder that stops offers the lease instead and goes on positioning; the node that takes the offer
 * sends a fence through each input and positions what follows it, the stopping holder what precedes it.
 */
export class FanoutLease {
  private state: 'following' | 'holding' | 'taking-over' | 'handing-over' | 'stopped' = 'following';
  private readonly turns: InputTurn[] = [];
  private handover: Handover | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly lease: ReaderLease;
  private readonly failures: RateLimitedLog;

  constructor(
    redis: RedisConnection,
    channel: string,
    private readonly holder: string,
    private readonly tuning: BusTuning,
    private readonly logger: Logger,
    private readonly takeovers: Readonly<Record<FanoutTakeover, Tally>>,
  ) {
    this.lease = new ReaderLease(redis, `cableway:fanout:${channel}:positioner`, holder, tuning.leaseTtlMs);
    this.failures = new RateLimitedLog(logger, 'warn');
  }

  /** The turn of one more fan-out input. */
  turn(): PositioningTurn {
    const turn = new InputTurn((heard, fence) => this.fenceHeard(heard, fence));
    this.turns.push(turn);
    return turn;
  }

  async start(): Promise<void> {
    await this.renew();
  }

  /**
   * Hands the turn over, when this node holds it and another takes the offer within a renewal and a half (the
   * other nodes try once per renewal), then gives the lease up. Call it while the inputs still hear.
   */
  async shutdown(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    const holding = this.state === 'holding';
    const owning = holding || this.state === 'taking-over';
    this.state = 'handing-over';
    if (holding && (await this.offered())) {
      const passing = { from: this.holder, to: '' };
      const handedOver = await this.waitForFences(passing, this.tuning.leaseRenewMs * 1.5, (turn) => turn.set(false));
      if (handedOver) this.logger.info('handed fan-out positioning over to another node');
      else this.logger.info('no node took fan-out positioning over: giving the lease up');
    }
    this.state = 'stopped';
    this.endHandover();
    for (const turn of this.turns) turn.set(false);
    // With Redis down, a command waits for reconnects: the lease lapses by itself instead.
    if (owning) await settledWithin(this.lease.release(), this.tuning.ackBoundMs);
  }

  /** False too when Redis does not answer within the bound: the lease then lapses as a dead holder's would. */
  private offered(): Promise<boolean> {
    const offer = this.lease.offer().catch((error: unknown) => {
      this.failures.log('fan-out positioning lease', { error: errorMessage(error) });
      return false;
    });
    return valueWithin(offer, this.tuning.ackBoundMs, false);
  }

  private async renew(): Promise<void> {
    let outcome: HoldOutcome = { held: false, offeredBy: null };
    try {
      outcome = await this.lease.hold();
    } catch (error) {
      this.failures.log('fan-out positioning lease', { error: errorMessage(error) });
    }
    if (this.state === 'handing-over' || this.state === 'stopped') return;
    if (!outcome.held && this.state !== 'following') this.follow();
    else if (outcome.held && this.state === 'following') {
      if (outcome.offeredBy !== null) void this.takeOver(outcome.offeredBy);
      else this.hold('free');
    }
    this.timer = setTimeout(() => void this.renew(), this.tuning.leaseRenewMs);
  }

  private hold(how: FanoutTakeover): void {
    this.takeovers[how].inc();
    this.state = 'holding';
    this.logger.info('this node positions fan-out broadcasts');
    for (const turn of this.turns) turn.set(true);
  }

  private follow(): void {
    this.endHandover();
    this.state = 'following';
    this.logger.info('another node positions fan-out broadcasts');
    for (const turn of this.turns) turn.set(false);
  }

  /** Each input's turn passes at its fence; one whose fence is not heard within the bound is taken anyway. */
  private async takeOver(from: string): Promise<void> {
    this.state = 'taking-over';
    const fence = { from, to: this.holder };
    const passed = this.waitForFences(fence, this.tuning.leaseTtlMs, (turn) => turn.set(true));
    for (const turn of this.turns) {
      if (!turn.line) continue;
      try {
        await turn.line.listen();
        await turn.line.send(fenceText(fence));
      } catch (error) {
        this.failures.log('fan-out handover fence', { error: errorMessage(error) });
      }
    }
    const complete = await passed;
    if (this.state !== 'taking-over') return;
    if (!complete) this.logger.warn('a fan-out input was taken over without its fence', { from });
    this.hold(complete ? 'fence' : 'no_fence');
  }

  /**
   * Resolves true once every input heard `expected` (`to` empty: from any successor), calling `passed` on
   * each turn as its fence goes by; false when `boundMs` runs out first or the wait is ended. Inputs with no
   * fence line pass at once.
   */
  private waitForFences(expected: HandoverFence, boundMs: number, passed: (turn: InputTurn) => void): Promise<boolean> {
    this.endHandover();
    return new Promise((resolve) => {
      const pending = new Set(this.turns.filter((turn) => turn.line !== null));
      const timer = setTimeout(() => finish(false), boundMs);
      const finish = (complete: boolean) => {
        clearTimeout(timer);
        this.handover = null;
        resolve(complete);
      };
      for (const turn of this.turns) if (!turn.line) passed(turn);
      if (pending.size === 0) return finish(true);
      this.handover = { fence: expected, pending, passed, finish };
    });
  }

  private fenceHeard(turn: InputTurn, text: string): void {
    const fence = readFence(text);
    const handover = this.handover;
    if (!fence || !handover || !handover.pending.has(turn) || fence.from !== handover.fence.from) return;
    if (handover.fence.to !== '' && fence.to !== handover.fence.to) return;
    handover.pending.delete(turn);
    handover.passed(turn);
    if (handover.pending.size === 0) handover.finish(true);
  }

  private endHandover(): void {
    this.handover?.finish(false);
  }
}
