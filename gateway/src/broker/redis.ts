import type { Logger } from '../../../shared/src/logger';
import type { BrokerCounters } from '../metrics/broker';
import type { StreamMessage } from '../../../shared/src/publication';
import { createRedisConnection, type RedisConnection } from '../../../shared/src/redis/connect';
import type { RedisConfig } from '../../../shared/src/redis/options';
import { settledWithin } from '../../../broadcaster/src/bounded';
import type { MessagePositioner } from '../../../broadcaster/src/bus';
import type { PositionedOrigin } from '../../../broadcaster/src/fanout-backlog';
import type { BrokerConfig } from '../config/config';
import type { Broker, MessageTarget } from './broker';
import { GapRepair } from './gap-repair';
import { RedisHistory } from './redis-history';
import { RedisPresenceStore } from './redis-presence';
import { RedisSessionStore } from './redis-sessions';

/** How long a node's start waits for the broker's Redis connection: as long as for its pub/sub subscriptions. */
const READY_BOUND_MS = 1_500;

/**
 * The broker of a cluster, in the Redis the nodes share: a publication is positioned once, by the node it
 * entered, before the pub/sub takes it to every node; each node hands on positioned messages in order,
 * filling gaps from the history; sessions are restorable on any node.
 */
export class RedisBroker implements Broker, MessagePositioner {
  readonly history: RedisHistory;
  readonly sessions: RedisSessionStore | null;
  readonly presence: RedisPresenceStore;
  readonly positioner = this;
  private readonly redis: RedisConnection;
  private readonly repairs: GapRepair[] = [];

  constructor(
    config: BrokerConfig,
    redis: RedisConfig,
    private readonly counters: BrokerCounters,
    private readonly logger: Logger,
  ) {
    this.redis = createRedisConnection(redis, 'commands', logger.child({ link: 'broker' }));
    this.history = new RedisHistory(this.redis, { limit: config.historyLimit, ttlSec: config.historyTtlSec });
    this.sessions = config.sessionsTtlSec > 0 ? new RedisSessionStore(this.redis, config.sessionsTtlSec) : null;
    this.presence = new RedisPresenceStore(this.redis, config.presenceTtlSec);
  }

  async position(
    stream: string,
    messages: readonly StreamMessage[],
    origins?: readonly string[],
  ): Promise<readonly StreamMessage[]> {
    const positioned = await this.history.record(stream, messages, origins);
    for (const message of positioned) if (message.position) this.counters.historyWrites.inc();
    return positioned;
  }

  lastPositioned(stream: string, input: string): Promise<PositionedOrigin | null> {
    return this.history.lastPositioned(stream, input);
  }

  deliveryTo(target: MessageTarget): MessageTarget {
    const repair = new GapRepair(this.history, target, this.counters, this.logger);
    this.repairs.push(repair);
    return repair;
  }

  streamOpened(stream: string): void {
    for (const repair of this.repairs) repair.open(stream);
  }

  streamClosed(stream: string): void {
    for (const repair of this.repairs) repair.forget(stream);
  }

  connected(): boolean {
    return this.redis.status === 'ready';
  }

  start(): Promise<void> {
    if (this.redis.status === 'ready') return Promise.resolve();
    return settledWithin(new Promise((resolve) => this.redis.once('ready', resolve)), READY_BOUND_MS);
  }

  stop(): void {
    this.redis.disconnect();
  }
}
