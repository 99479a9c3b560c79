import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { errorMessage } from '../../../shared/src/errors';
import { RateLimitedLog, type LogFields } from '../../../shared/src/logger';
import { reconnectDelay } from '../../../shared/src/redis/backoff';
import type { RedisConnection } from '../../../shared/src/redis/connect';
import { settledWithin } from '../bounded';
import type { RedisContext } from '../redis/context';
import { requireRedis, type AdapterContext, type BroadcastAdapter } from './adapter';
import { ReaderLease } from './reader-lease';
import { entriesOfClaim, entriesOfRead, type StreamEntry } from './stream-entries';

/** Entries taken per XREADGROUP, so that a backlog is read in bounded slices. */
const READ_COUNT = 256;

function replyError(error: unknown, code: string): boolean {
  return errorMessage(error).startsWith(code);
}

/**
 * Redis Streams with a consumer group: each publication is read by exactly one node, which hands it to the
 * node-to-node pub/sub. Entries are acknowledged and deleted once handled; every couple of seconds the
 * reading node claims the entries other consumers read but never acknowledged (they died), so none is lost.
 * One node at a time reads, the holder of a lease in Redis: with several readers racing, publications of
 * one stream would reach the pub/sub out of order. When the reader dies, another takes the lease over.
 */
class RedisxAdapter implements BroadcastAdapter {
  readonly summary: LogFields;
  private readonly redis: RedisContext;
  private readonly stream: string;
  private readonly group: string;
  private readonly consumer: string;
  /** XREADGROUP blocks its connection, so it gets one of its own. */
  private readonly reader: RedisConnection;
  private readonly failures: RateLimitedLog;
  private readonly stopping = new AbortController();
  private reading: Promise<void> = Promise.resolve();
  private claiming: Promise<void> = Promise.resolve();
  private claimTimer: NodeJS.Timeout | null = null;
  private readonly lease: ReaderLease;
  private leading = false;
  private leaseTimer: NodeJS.Timeout | null = null;

  constructor(private readonly context: AdapterContext) {
    this.redis = requireRedis(context, 'redisx');
    ({ stream: this.stream, group: this.group } = context.config.redisx);
    this.consumer = `${context.nodeId}-${randomBytes(3).toString('hex')}`;
    this.reader = this.redis.connections.connect('commands', 'redisx-read');
    this.failures = new RateLimitedLog(context.logger, 'warn');
    this.lease = new ReaderLease(
      this.redis.commands,
      `${this.stream}:${this.group}:reader`,
      this.consumer,
      context.tuning.leaseTtlMs,
    );
    this.summary = {
      adapter: 'redisx',
      target: this.redis.connections.target,
      stream: this.stream,
      group: this.group,
      consumer: this.consumer,
    };
  }

  async start(): Promise<void> {
    await settledWithin(this.createGroup(), this.context.tuning.ackBoundMs);
    await settledWithin(this.holdLease(), this.context.tuning.ackBoundMs);
    this.reading = this.readLoop();
    this.scheduleClaim();
  }

  async shutdown(): Promise<void> {
    this.stopping.abort();
    if (this.claimTimer) clearTimeout(this.claimTimer);
    if (this.leaseTimer) clearTimeout(this.leaseTimer);
    // Closing the reader fails the XREADGROUP it is blocked in; what was read before is handled first.
    await this.redis.connections.close(this.reader);
    await Promise.all([this.reading, this.claiming]);
    // Handing the lease back lets another node read at once instead of after the lease runs out.
    if (this.leading) await settledWithin(this.lease.release(), this.context.tuning.ackBoundMs);
    await settledWithin(this.retireConsumer(), this.context.tuning.ackBoundMs);
  }

  private get stopped(): boolean {
    return this.stopping.signal.aborted;
  }

  private async createGroup(): Promise<void> {
    try {
      await this.redis.commands.call('XGROUP', 'CREATE', this.stream, this.group, '$', 'MKSTREAM');
    } catch (error) {
      if (!replyError(error, 'BUSYGROUP')) this.logFailure('XGROUP CREATE', error);
    }
  }

  private async holdLease(): Promise<void> {
    let held = false;
    try {
      ({ held } = await this.lease.hold());
    } catch (error) {
      this.logFailure('reader lease', error);
    }
    if (held !== this.leading) {
      this.leading = held;
      this.context.logger.info(held ? 'redisx: this node reads the stream' : 'redisx: another node reads the stream', {
        stream: this.stream,
        consumer: this.consumer,
      });
    }
    if (!this.stopped) {
      this.leaseTimer = setTimeout(() => void this.holdLease(), this.context.tuning.leaseRenewMs);
    }
  }

  private async readLoop(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      if (!this.leading) {
        await sleep(this.context.tuning.leaseRenewMs, undefined, { signal: this.stopping.signal }).catch(() => undefined);
        continue;
      }
      try {
        const reply = await this.reader.call(
          'XREADGROUP',
          'GROUP',
          this.group,
          this.consumer,
          'COUNT',
          READ_COUNT,
          'BLOCK',
          this.context.config.redisx.readBlockMs,
          'STREAMS',
          this.stream,
          '>',
        );
        failures = 0;
        this.handle(entriesOfRead(reply));
      } catch (error) {
        if (this.stopped) return;
        failures += 1;
        this.logFailure('XREADGROUP', error);
        // Redis lost the group (a restart without persistence): create it again.
        if (replyError(error, 'NOGROUP')) await this.createGroup();
        else await sleep(reconnectDelay(failures), undefined, { signal: this.stopping.signal }).catch(() => undefined);
      }
    }
  }

  private scheduleClaim(): void {
    this.claimTimer = setTimeout(() => {
      this.claiming = this.claimStale().finally(() => {
        if (!this.stopped) this.scheduleClaim();
      });
    }, this.context.tuning.claimIntervalMs);
  }

  private async claimStale(): Promise<void> {
    if (!this.leading) return;
    try {
      const reply = await this.redis.commands.call(
        'XAUTOCLAIM',
        this.stream,
        this.group,
        this.consumer,
        this.context.tuning.claimMinIdleMs,
        '0-0',
      );
      if (!this.stopped) this.handle(entriesOfClaim(reply));
    } catch (error) {
      this.logFailure('XAUTOCLAIM', error);
    }
  }

  private handle(entries: readonly StreamEntry[]): void {
    if (entries.length === 0) return;
    for (const entry of entries) {
      if (entry.payload === null) this.context.sink.reject('stream entry has no "payload" field', entry.id);
      else this.context.sink.accept(entry.payload);
    }
    const ids = entries.map((entry) => entry.id);
    this.redis.commands.call('XACK', this.stream, this.group, ...ids).catch((error: unknown) => this.logFailure('XACK', error));
    this.redis.commands.call('XDEL', this.stream, ...ids).catch((error: unknown) => this.logFailure('XDEL', error));
  }

  /** A consumer still owning pending entries is left in the group, so that another node claims them. */
  private async retireConsumer(): Promise<void> {
    try {
      const pending = await this.redis.commands.call('XPENDING', this.stream, this.group, '-', '+', 1, this.consumer);
      if (Array.isArray(pending) && pending.length === 0) {
        await this.redis.commands.call('XGROUP', 'DELCONSUMER', this.stream, this.group, this.consumer);
      }
    } catch (error) {
      this.logFailure('XGROUP DELCONSUMER', error);
    }
  }

  private logFailure(command: string, error: unknown): void {
    this.failures.log(`redisx ${command} failed`, { stream: this.stream, error: errorMessage(error) });
  }
}

export function createRedisxAdapter(context: AdapterContext): BroadcastAdapter {
  return new RedisxAdapter(context);
}
