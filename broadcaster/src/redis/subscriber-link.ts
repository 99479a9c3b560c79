import { Cluster } from 'ioredis';
import { errorMessage } from '../../../shared/src/errors';
import { RateLimitedLog, type Logger } from '../../../shared/src/logger';
import type { RedisConnection } from '../../../shared/src/redis/connect';
import { settledWithin } from '../bounded';
import type { BusTuning } from '../tuning';
import type { RedisContext } from './context';
import { pubSubDialect, type PubSubDialect } from './dialect';
import { LivenessProbe } from './probe';
import { ChannelReconciler } from '../reconciler';

export interface SubscriberLinkOptions {
  /** Names the link in logs and in its probe channel: `pubsub`, `redis`, `actioncable`. */
  readonly purpose: string;
  /** Sharded pub/sub on a Cluster: only for channels this product both publishes and subscribes. */
  readonly shardedOnCluster: boolean;
  readonly nodeId: string;
  readonly redis: RedisContext;
  readonly tuning: BusTuning;
  readonly logger: Logger;
  /** Called synchronously for every message, in the order Redis sent them. */
  readonly onMessage: (channel: string, payload: string) => void;
}

/**
 * One subscribing Redis connection that follows a changing set of channels, survives reconnects (it
 * re-subscribes every channel) and proves it still hears its channels with a liveness probe.
 */
export class SubscriberLink {
  private readonly connection: RedisConnection;
  private readonly reconciler: ChannelReconciler;
  private readonly probe: LivenessProbe;
  private readonly probeChannel: string;
  private readonly dialect: PubSubDialect;

  constructor(private readonly options: SubscriberLinkOptions) {
    const { redis } = options;
    this.connection = redis.connections.connect('subscriber', options.purpose);
    const dialect = pubSubDialect(this.connection, redis.commands, options.shardedOnCluster);
    this.dialect = dialect;
    this.reconciler = new ChannelReconciler(this.loggingFailures(dialect));
    this.probeChannel = `cableway:probe:${options.nodeId}:${options.purpose}`;
    this.connection.on(dialect.messageEvent, (channel: string, payload: string) => {
      if (channel === this.probeChannel) this.probe.echo(payload);
      else options.onMessage(channel, payload);
    });
    if (this.connection instanceof Cluster) {
      // ioredis keeps a Cluster's channels itself and subscribes them again on whichever node takes over.
      this.reconciler.connected();
    } else {
      this.connection.on('ready', () => this.reconciler.connected());
      this.connection.on('close', () => this.reconciler.disconnected());
    }
    this.probe = new LivenessProbe(
      {
        isReady: () => this.connection.status === 'ready' && redis.commands.status === 'ready',
        publish: (token) => dialect.publish(this.probeChannel, token),
        onMissing: (publisherAnswered) => this.reconnectSilentLink(publisherAnswered),
      },
      options.tuning.probe,
      options.nodeId,
    );
  }

  /** Subscribes the probe channel and starts probing; resolves like `add`. */
  start(): Promise<void> {
    this.probe.start();
    return this.add(this.probeChannel);
  }

  /** Resolves once Redis acknowledged the subscription, or after the bound while Redis does not answer. */
  add(channel: string): Promise<void> {
    return settledWithin(this.reconciler.want(channel), this.options.tuning.ackBoundMs);
  }

  remove(channel: string): void {
    this.reconciler.drop(channel);
  }

  /** Publishes on the link's channel family (sharded on a Cluster) through the commands connection. */
  publish(channel: string, payload: string): Promise<unknown> {
    return this.dialect.publish(channel, payload);
  }

  async close(): Promise<void> {
    this.probe.stop();
    await this.options.redis.connections.close(this.connection);
  }

  private loggingFailures(dialect: PubSubDialect): PubSubDialect {
    const failures = new RateLimitedLog(this.options.logger, 'warn');
    const logged =
      (command: string) =>
      (error: unknown): never => {
        failures.log(`redis ${command} failed`, { link: this.options.purpose, error: errorMessage(error) });
        throw error;
      };
    return {
      ...dialect,
      subscribe: (channels) => dialect.subscribe(channels).catch(logged('subscribe')),
      unsubscribe: (channels) => dialect.unsubscribe(channels).catch(logged('unsubscribe')),
    };
  }

  private reconnectSilentLink(publisherAnswered: boolean): void {
    this.options.redis.probeFailures.inc();
    this.options.logger.warn('redis pub/sub probe got no echo: reconnecting', {
      link: this.options.purpose,
      timeout_ms: this.options.tuning.probe.timeoutMs,
      publisher_answered: publisherAnswered,
    });
    this.connection.disconnect(true);
    if (!publisherAnswered) this.options.redis.commands.disconnect(true);
  }
}
