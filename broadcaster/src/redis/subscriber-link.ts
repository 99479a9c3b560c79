import { Cluster } from 'ioredis';
import { errorMessage } from '../../../shared/src/errors';
import { RateLimitedLog, type Logger } from '../../../shared/src/logger';
import type { RedisConnection } from '../../../shared/src/redis/connect';
import { settledWithin } from '../bounded';
import type { BusTuning } from '../tuning';
import type { RedisContext } from './context';
import { pubSubDialect, type PubSubDialect } from './dialect';
import { LivenessProbe } from './probe';
import { ChannelReconciler, type ChannelCommands } from '../reconciler';

/** Every link's probe channel starts so: `cableway:probe:<node>:<purpose>`. */
export const PROBE_CHANNEL_PREFIX = 'cableway:probe:';

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
 * One subscribing Redis connection that follows a changing set of channels (and of patterns, on plain
 * pub/sub), survives reconnects (it re-subscribes every one) and proves it still hears them with a
 * liveness probe.
 */
export class SubscriberLink {
  private readonly connection: RedisConnection;
  private readonly reconciler: ChannelReconciler;
  private readonly patterns: ChannelReconciler;
  private readonly probe: LivenessProbe;
  private readonly probeChannel: string;
  private readonly dialect: PubSubDialect;

  constructor(private readonly options: SubscriberLinkOptions) {
    const { redis } = options;
    this.connection = redis.connections.connect('subscriber', options.purpose);
    const dialect = pubSubDialect(this.connection, redis.commands, options.shardedOnCluster);
    this.dialect = dialect;
    this.reconciler = new ChannelReconciler(this.loggingFailures(dialect, ''));
    const connection = this.connection;
    this.patterns = new ChannelReconciler(
      this.loggingFailures(
        {
          subscribe: (patterns) => connection.psubscribe(...patterns),
          unsubscribe: (patterns) => connection.punsubscribe(...patterns),
        },
        'p',
      ),
    );
    this.probeChannel = `${PROBE_CHANNEL_PREFIX}${options.nodeId}:${options.purpose}`;
    this.connection.on(dialect.messageEvent, (channel: string, payload: string) => {
      if (channel === this.probeChannel) this.probe.echo(payload);
      else options.onMessage(channel, payload);
    });
    // A pattern may match the probe channel too: its echo is taken once, from the channel subscription.
    this.connection.on('pmessage', (_pattern: string, channel: string, payload: string) => {
      if (channel !== this.probeChannel) options.onMessage(channel, payload);
    });
    const reconcilers = [this.reconciler, this.patterns];
    if (this.connection instanceof Cluster) {
      // ioredis keeps a Cluster's channels itself and subscribes them again on whichever node takes over.
      for (const reconciler of reconcilers) reconciler.connected();
    } else {
      this.connection.on('ready', () => reconcilers.forEach((reconciler) => reconciler.connected()));
      this.connection.on('close', () => reconcilers.forEach((reconciler) => reconciler.disconnected()));
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

  /** A glob-style pattern (PSUBSCRIBE), on plain pub/sub; resolves like `add`. */
  addPattern(pattern: string): Promise<void> {
    return settledWithin(this.patterns.want(pattern), this.options.tuning.ackBoundMs);
  }

  removePattern(pattern: string): void {
    this.patterns.drop(pattern);
  }

  /** Publishes on the link's channel family (sharded on a Cluster) through the commands connection. */
  publish(channel: string, payload: string): Promise<unknown> {
    return this.dialect.publish(channel, payload);
  }

  async close(): Promise<void> {
    this.probe.stop();
    await this.options.redis.connections.close(this.connection);
  }

  /** `kind`: `p` for the pattern commands (PSUBSCRIBE, PUNSUBSCRIBE), in log lines. */
  private loggingFailures<Commands extends ChannelCommands>(commands: Commands, kind: '' | 'p'): Commands {
    const failures = new RateLimitedLog(this.options.logger, 'warn');
    const logged =
      (command: string) =>
      (error: unknown): never => {
        failures.log(`redis ${kind}${command} failed`, { link: this.options.purpose, error: errorMessage(error) });
        throw error;
      };
    return {
      ...commands,
      subscribe: (channels) => commands.subscribe(channels).catch(logged('subscribe')),
      unsubscribe: (channels) => commands.unsubscribe(channels).catch(logged('unsubscribe')),
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
