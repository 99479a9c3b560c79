/** The commands a reconciler sends; each promise settles when the server has answered for every channel. */
export interface ChannelCommands {
  subscribe(channels: readonly string[]): Promise<unknown>;
  unsubscribe(channels: readonly string[]): Promise<unknown>;
}

export interface ReconcilerTimers {
  /** Runs `flush` once the current event-loop turn is over. */
  soon(flush: () => void): void;
  /** Runs `retry` after `ms`. */
  after(ms: number, retry: () => void): void;
}

const nodeTimers: ReconcilerTimers = {
  soon: (flush) => setImmediate(flush),
  after: (ms, retry) => setTimeout(retry, ms).unref(),
};

const SUBSCRIBE_BATCH_SIZE = 256;
const RETRY_MS = 1_000;

interface Deferred {
  readonly promise: Promise<void>;
  readonly resolve: () => void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

function chunks(channels: readonly string[], size: number): string[][] {
  const result: string[][] = [];
  for (let start = 0; start < channels.length; start += size) result.push(channels.slice(start, start + size));
  return result;
}

/**
 * Keeps one connection's subscriptions (Redis channels, NATS subjects) equal to the set wanted, with as few
 * commands as possible: the changes requested in one event-loop turn go out together, at most `batchSize` channels per
 * command, and a want/drop/want sequence that nets out sends nothing. A new connection starts empty, so
 * `connected()` sends every wanted channel again.
 */
export class ChannelReconciler {
  private readonly wanted = new Set<string>();
  /** Channels whose SUBSCRIBE went out on the current connection with no UNSUBSCRIBE after it. */
  private readonly sent = new Set<string>();
  /** Callers waiting for a SUBSCRIBE that has not gone out yet. */
  private readonly waiting = new Map<string, Deferred>();
  /** Callers waiting for a SUBSCRIBE in flight. */
  private readonly inFlight = new Map<string, Deferred>();
  private dirty = new Set<string>();
  private online = false;
  /** Counts connections, so that the answer to a command sent on an earlier one is ignored. */
  private epoch = 0;
  private flushScheduled = false;

  constructor(
    private readonly commands: ChannelCommands,
    private readonly timers: ReconcilerTimers = nodeTimers,
    private readonly batchSize = SUBSCRIBE_BATCH_SIZE,
  ) {}

  /** Resolves once the server has acknowledged the subscription (at once if the connection already has it). */
  want(channel: string): Promise<void> {
    this.wanted.add(channel);
    if (this.sent.has(channel)) return this.inFlight.get(channel)?.promise ?? Promise.resolve();
    this.markDirty(channel);
    let waiter = this.waiting.get(channel);
    if (!waiter) {
      waiter = deferred();
      this.waiting.set(channel, waiter);
    }
    return waiter.promise;
  }

  drop(channel: string): void {
    if (this.wanted.delete(channel)) this.markDirty(channel);
  }

  /** A fresh connection is ready: it has no subscriptions yet. */
  connected(): void {
    this.online = true;
    this.epoch += 1;
    this.sent.clear();
    for (const [channel, waiter] of this.inFlight) this.wait(channel, waiter);
    this.inFlight.clear();
    for (const channel of this.wanted) this.dirty.add(channel);
    this.flush();
  }

  /** The connection is gone; changes are kept until the next `connected()`. */
  disconnected(): void {
    this.online = false;
  }

  private markDirty(channel: string): void {
    this.dirty.add(channel);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    this.timers.soon(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    if (!this.online || this.dirty.size === 0) return;
    const subscribe: string[] = [];
    const unsubscribe: string[] = [];
    for (const channel of this.dirty) {
      const wanted = this.wanted.has(channel);
      if (wanted && !this.sent.has(channel)) subscribe.push(channel);
      else if (!wanted && this.sent.has(channel)) unsubscribe.push(channel);
      if (!wanted) this.release(channel);
    }
    this.dirty = new Set();
    for (const batch of chunks(unsubscribe, this.batchSize)) this.sendUnsubscribe(batch);
    for (const batch of chunks(subscribe, this.batchSize)) this.sendSubscribe(batch);
  }

  private sendUnsubscribe(batch: readonly string[]): void {
    for (const channel of batch) this.sent.delete(channel);
    // A failure leaves a channel this node no longer delivers: harmless, and gone with the next connection.
    this.commands.unsubscribe(batch).catch(() => undefined);
  }

  private sendSubscribe(batch: readonly string[]): void {
    const epoch = this.epoch;
    const waiters = new Map<string, Deferred>();
    for (const channel of batch) {
      this.sent.add(channel);
      const waiter = this.waiting.get(channel);
      if (!waiter) continue;
      this.waiting.delete(channel);
      this.inFlight.set(channel, waiter);
      waiters.set(channel, waiter);
    }
    this.commands.subscribe(batch).then(
      () => {
        if (epoch !== this.epoch) return;
        for (const [channel, waiter] of waiters) {
          if (this.inFlight.get(channel) === waiter) this.inFlight.delete(channel);
          waiter.resolve();
        }
      },
      () => {
        if (epoch === this.epoch) this.subscribeFailed(batch, waiters);
      },
    );
  }

  /** The server refused or the link broke before it answered: the channels are sent again a little later. */
  private subscribeFailed(batch: readonly string[], waiters: ReadonlyMap<string, Deferred>): void {
    for (const channel of batch) {
      this.sent.delete(channel);
      const waiter = waiters.get(channel);
      if (!waiter || this.inFlight.get(channel) !== waiter) continue;
      this.inFlight.delete(channel);
      this.wait(channel, waiter);
    }
    this.timers.after(RETRY_MS, () => {
      for (const channel of batch) this.markDirty(channel);
    });
  }

  /** Parks `waiter` until the channel's next SUBSCRIBE, sharing a waiter already parked there. */
  private wait(channel: string, waiter: Deferred): void {
    if (!this.wanted.has(channel)) {
      waiter.resolve();
      return;
    }
    const parked = this.waiting.get(channel);
    if (parked) void parked.promise.then(waiter.resolve);
    else this.waiting.set(channel, waiter);
  }

  /** Nobody waits for a channel that is no longer wanted. */
  private release(channel: string): void {
    this.waiting.get(channel)?.resolve();
    this.waiting.delete(channel);
    this.inFlight.get(channel)?.resolve();
    this.inFlight.delete(channel);
  }
}
