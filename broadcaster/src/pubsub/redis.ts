import { Cluster } from 'ioredis';
import { errorMessage } from '../../../shared/src/errors';
import { RateLimitedLog, type LogFields, type Logger } from '../../../shared/src/logger';
import {
  encodeRemoteCommand,
  encodeStreamMessage,
  type RemoteCommand,
  type StreamMessage,
} from '../../../shared/src/publication';
import type { RedisContext } from '../redis/context';
import { SubscriberLink } from '../redis/subscriber-link';
import type { PublicationSink } from '../sink';
import type { BusTuning } from '../tuning';
import type { PubSub } from './pubsub';

export interface RedisPubSubOptions {
  /** Prepended to a stream name to form its channel. */
  readonly channelPrefix: string;
  /** Carries remote commands to every node. */
  readonly internalChannel: string;
  readonly redis: RedisContext;
  readonly nodeId: string;
  readonly tuning: BusTuning;
  readonly logger: Logger;
  /** Takes what arrives from other nodes (and from this one) for local delivery. */
  readonly sink: PublicationSink;
}

/**
 * Redis pub/sub between nodes: one channel per stream, subscribed only while this node serves the stream,
 * and the internal channel for remote commands. On a Cluster the channels are sharded (SPUBLISH/SSUBSCRIBE),
 * so a stream's traffic stays on the shard that owns its slot.
 */
export class RedisPubSub implements PubSub {
  readonly summary: LogFields;
  private readonly link: SubscriberLink;
  private readonly publishFailures: RateLimitedLog;

  constructor(private readonly options: RedisPubSubOptions) {
    this.link = new SubscriberLink({
      purpose: 'pubsub',
      shardedOnCluster: true,
      nodeId: options.nodeId,
      redis: options.redis,
      tuning: options.tuning,
      logger: options.logger,
      onMessage: (_channel, payload) => options.sink.accept(payload),
    });
    this.publishFailures = new RateLimitedLog(options.logger, 'warn');
    this.summary = {
      pubsub: 'redis',
      target: options.redis.connections.target,
      channels: `${options.channelPrefix}<stream>`,
      internal_channel: options.internalChannel,
      sharded: options.redis.commands instanceof Cluster,
    };
  }

  async start(): Promise<void> {
    await Promise.all([this.link.start(), this.link.add(this.options.internalChannel)]);
  }

  subscribe(stream: string): Promise<void> {
    return this.link.add(this.channelOf(stream));
  }

  unsubscribe(stream: string): void {
    this.link.remove(this.channelOf(stream));
  }

  publish(message: StreamMessage): void {
    this.send(this.channelOf(message.stream), encodeStreamMessage(message));
  }

  publishCommand(command: RemoteCommand): void {
    this.send(this.options.internalChannel, encodeRemoteCommand(command));
  }

  isUp(): boolean {
    return this.options.redis.commands.status === 'ready';
  }

  shutdown(): Promise<void> {
    return this.link.close();
  }

  private channelOf(stream: string): string {
    return this.options.channelPrefix + stream;
  }

  private send(channel: string, payload: string): void {
    this.link.publish(channel, payload).catch((error: unknown) => {
      this.publishFailures.log('redis publish failed: the publication is lost', { channel, error: errorMessage(error) });
    });
  }
}
