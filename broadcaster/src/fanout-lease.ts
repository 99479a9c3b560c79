import { randomBytes } from 'node:crypto';
import { errorMessage } from '../../shared/src/errors';
import { RateLimitedLog, type Logger } from '../../shared/src/logger';
import type { Tally } from '../../shared/src/metrics';
import type { RedisConnection } from '../../shared/src/redis/connect';
import type { StreamMessage } from '../../shared/src/publication';
import { ReaderLease, type HoldOutcome } from './adapters/reader-lease';
import type { FenceLine, PositioningTurn } from './adapters/adapter';
import { settledWithin, valueWithin } from './bounded';
import { FanoutBacklog, type PositionedLookup, type TakenBack } from './fanout-backlog';
import { fenceText, readMarker, watermarkText, type HandoverFence } from './handover-fence';
import type { FanoutTakeover } from './metrics';
import type { BusTuning } from './tuning';

/** Positions one message of a fan-out input, with its origin there. */
export type PositionedRelay = (message: StreamMessage, origin: string) => void;

/** One fan-out input's share of the lease: held while this node positions what the input brings. */
class InputTurn implements PositioningTurn {
  held = false;
  /** While what was kept is read against the histories, live messages are kept behind it. */
  catchingUp = false;
  line: FenceLine | null = null;
  readonly backlog: FanoutBacklog;
  private readonly listeners: Array<(held: boolean) => void> = [];

  constructor(
    readonly input: string,
    readonly relay: PositionedRelay,
    private readonly leaseSure: () => boolean,
    private readonly heard: (turn: InputTurn, fence: string) => void,
  ) {
    this.backlog = new FanoutBacklog(input);
  }

  /** Positions only while the lease is surely this node's: a holder that stalled keeps instead. */
  deliver(message: StreamMessage): void {
    const origin = this.backlog.next();
    if (this.held && !this.catchingUp && this.leaseSure()) this.relay(message, origin);
    else this.backlog.keep(message, origin);
  }

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
    if (held) this.backlog.clear();
    for (const listener of this.listeners) listener(held);
  }
}

/** What the lease needs besides its Redis key: timings, logs, counters, and the histories it reads at a takeover. */
export interface FanoutLeaseParts {
  readonly tuning: BusTuning;
  readonly logger: Logger;
  readonly takeovers: Readonly<Record<FanoutTakeover, Tally>>;
  /** Counts what was positioned from a backlog: after a takeover, or by a holder sure of its lease again. */
  readonly recovered: Tally;
  readonly positioned: PositionedLookup;
  /** Where the messages of the inputs this node positions go. */
  readonly relay: PositionedRelay;
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
 * A holder that stops offers the lease and goes on positioning; the node that takes the offer sends a fence
 * through each input and positions what follows it, the stopping holder what precedes it. A holder that dies
 * loses the lease once it lapses; the node that takes it then positions what it kept of `redis` and `nats`
 * (see fanout-backlog) that the dead holder had not. The holder sends a watermark through each input at
 * every renewal, so that every node places each publication alike. A holder positions only while its lease
 * is sure (its last answered renewal or offer was sent less than a TTL ago, with a margin); otherwise it
 * keeps, as the others do, and catches up once a renewal answers.
 */
export class FanoutLease {
  private state: 'following' | 'holding' | 'taking-over' | 'handing-over' | 'stopped' = 'following';
  private readonly turns: InputTurn[] = [];
  private handover: Handover | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly lease: ReaderLease;
  private readonly failures: RateLimitedLog;
  /** Watermarks are `<holder>/<this process>.<n>`: a restarted holder never repeats one. */
  private readonly markPrefix: string;
  private marks = 0;
  /** Until when (performance.now()) the lease is surely this node's, by its last answered renewal or offer. */
  private sureUntil = 0;

  constructor(
    redis: RedisConnection,
    channel: string,
    private readonly holder: string,
    private readonly parts: FanoutLeaseParts,
  ) {
    this.lease = new ReaderLease(redis, `cableway:fanout:${channel}:positioner`, holder, parts.tuning.leaseTtlMs);
    this.failures = new RateLimitedLog(parts.logger, 'warn');
    this.markPrefix = `${holder}/${randomBytes(4).toString('hex')}.`;
  }

  /** The turn of one more fan-out input, named `input`. */
  turn(input: string): PositioningTurn {
    const turn = new InputTurn(
      input,
      this.parts.relay,
      () => this.leaseSure(),
      (heard, fence) => this.fenceHeard(heard, fence),
    );
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
      const handedOver = await this.waitForFences(passing, this.parts.tuning.leaseRenewMs * 1.5, (turn) => turn.set(false));
      if (handedOver) this.parts.logger.info('handed fan-out positioning over to another node');
      else this.parts.logger.info('no node took fan-out positioning over: giving the lease up');
    }
    this.state = 'stopped';
    this.endHandover();
    for (const turn of this.turns) turn.set(false);
    // With Redis down, a command waits for reconnects: the lease lapses by itself instead.
    if (owning) await settledWithin(this.lease.release(), this.parts.tuning.ackBoundMs);
  }

  /** False too when Redis does not answer within the bound: the lease then lapses as a dead holder's would. */
  private offered(): Promise<boolean> {
    const sentAt = performance.now();
    const offer = this.lease.offer().then(
      (offered) => {
        if (offered) this.extendedAt(sentAt);
        return offered;
      },
      (error: unknown) => {
        this.failures.log('fan-out positioning lease', { error: errorMessage(error) });
        return false;
      },
    );
    return valueWithin(offer, this.parts.tuning.ackBoundMs, false);
  }

  /**
   * The lease was extended by a call sent at `sentAt`, so it lasts at least a TTL from then. Half a renewal
   * is kept in hand for positioning calls still on their way to Redis when the TTL runs out.
   */
  private extendedAt(sentAt: number): void {
    this.sureUntil = sentAt + this.parts.tuning.leaseTtlMs - this.parts.tuning.leaseRenewMs / 2;
  }

  private async renew(): Promise<void> {
    let outcome: HoldOutcome = { held: false, offeredBy: null };
    const sentAt = performance.now();
    try {
      outcome = await this.lease.hold();
      if (outcome.held) this.extendedAt(sentAt);
    } catch (error) {
      this.failures.log('fan-out positioning lease', { error: errorMessage(error) });
    }
    if (this.stopping()) return;
    if (!outcome.held && this.state !== 'following') this.follow();
    else if (outcome.held && this.state === 'following') {
      if (outcome.offeredBy !== null) void this.takeOver(outcome.offeredBy);
      else await this.takeLapsed();
    } else if (outcome.held && this.state === 'holding' && this.leaseSure()) {
      // What a turn kept while the lease was not sure (renewals unanswered, a stalled loop), once a renewal
      // made it sure again (one sent before a stall and answered after it may not). The watermark follows:
      // one sent before would let the backlog forget the oldest of what it kept.
      await Promise.all(this.turns.filter((turn) => turn.backlog.keeps()).map((turn) => this.catchUp(turn)));
      this.sendWatermarks();
    }
    if (this.stopping()) return;
    this.timer = setTimeout(() => void this.renew(), this.parts.tuning.leaseRenewMs);
  }

  private leaseSure(): boolean {
    return performance.now() < this.sureUntil;
  }

  private stopping(): boolean {
    return this.state === 'handing-over' || this.state === 'stopped';
  }

  private sendWatermarks(): void {
    const text = watermarkText(`${this.markPrefix}${++this.marks}`);
    for (const turn of this.turns) {
      turn.line?.send(text).catch((error: unknown) => this.failures.log('fan-out watermark', { error: errorMessage(error) }));
    }
  }

  /**
   * A lease nobody held: free at the cluster's start, or lapsed after its holder died. Each input first
   * positions what this node kept of it that the holder had not, then its live messages.
   */
  private async takeLapsed(): Promise<void> {
    this.state = 'taking-over';
    await Promise.all(this.turns.map((turn) => this.catchUp(turn)));
    if (this.state === 'taking-over') this.hold('free');
  }

  /**
   * Positions what `turn` kept that the histories do not hold, then its live messages: both in the same
   * turn of the event loop, so nothing heard in between is missed or put out of order.
   */
  private async catchUp(turn: InputTurn): Promise<void> {
    const state = this.state;
    turn.catchingUp = true;
    let failure = `no answer within ${this.parts.tuning.ackBoundMs} ms`;
    const reading = turn.backlog.takeBack(this.parts.positioned).catch((error: unknown) => {
      failure = errorMessage(error);
      return null;
    });
    const taken = await valueWithin(reading, this.parts.tuning.ackBoundMs, null);
    turn.catchingUp = false;
    if (this.state !== state) return;
    if (taken) this.positionLeftOver(turn, taken);
    else {
      this.parts.logger.warn('what was kept could not be read against the histories: not positioned', {
        input: turn.input,
        error: failure,
      });
    }
    turn.backlog.clear();
    turn.set(true);
  }

  private positionLeftOver(turn: InputTurn, taken: TakenBack): void {
    for (const { message, origin } of taken.unpositioned) turn.relay(message, origin);
    this.parts.recovered.inc(taken.unpositioned.length);
    if (taken.unpositioned.length > 0) {
      this.parts.logger.info('positioned what was kept and no node had positioned', {
        input: turn.input,
        messages: taken.unpositioned.length,
      });
    }
    if (taken.mismatched.length > 0) {
      this.parts.logger.warn('streams whose history does not match what this node heard are left alone: not positioned', {
        input: turn.input,
        streams: taken.mismatched.length,
      });
    }
  }

  private hold(how: FanoutTakeover): void {
    this.parts.takeovers[how].inc();
    this.state = 'holding';
    this.parts.logger.info('this node positions fan-out broadcasts');
    for (const turn of this.turns) turn.set(true);
  }

  private follow(): void {
    this.endHandover();
    this.state = 'following';
    this.parts.logger.info('another node positions fan-out broadcasts');
    for (const turn of this.turns) turn.set(false);
  }

  /** Each input's turn passes at its fence; one whose fence is not heard within the bound is taken anyway. */
  private async takeOver(from: string): Promise<void> {
    this.state = 'taking-over';
    const fence = { from, to: this.holder };
    const passed = this.waitForFences(fence, this.parts.tuning.leaseTtlMs, (turn) => turn.set(true));
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
    if (!complete) {
      this.parts.logger.warn('a fan-out input was taken over without its fence', { from });
      // What the stopping holder had not positioned when it gave up, as after a holder that died.
      await Promise.all(this.turns.filter((turn) => !turn.held).map((turn) => this.catchUp(turn)));
      if (this.state !== 'taking-over') return;
    }
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
    const marker = readMarker(text);
    if (marker?.kind === 'watermark') return turn.backlog.watermark(marker.mark);
    const fence = marker?.fence;
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
