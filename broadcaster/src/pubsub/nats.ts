import { errorMessage } from '../../../shared/src/errors';
import { RateLimitedLog, type LogFields } from '../../../shared/src/logger';
import {
  encodeRemoteCommand,
  encodeStreamMessage,
  type RemoteCommand,
  type StreamMessage,
} from '../../../shared/src/publication';
import { requireTransport } from '../context';
import type { NatsLink } from '../nats/link';
import { StreamSubjects } from '../nats/subjects';
import { NatsSubscriber } from '../nats/subscriber';
import type { PubSub, PubSubContext } from './pubsub';

/**
 * NATS pub/sub between nodes, as anycable-go's: one subject per stream, subscribed only while this node
 * serves the stream, and the internal subject for remote commands. A publication made while the
 * connection is down is lost (and logged), as with Redis: the client would otherwise discard it unseen.
 */
class NatsPubSub implements PubSub {
  readonly summary: LogFields;
  private readonly link: NatsLink;
  private readonly subscriber: NatsSubscriber;
  private readonly subjects: StreamSubjects;
  private readonly internalSubject: string;
  private readonly publishFailures: RateLimitedLog;

  constructor(context: PubSubContext) {
    const { config } = context;
    this.link = requireTransport(context.nats, '--pubsub=nats', 'NATS: set --nats_servers').link;
    this.internalSubject = config.internalChannel;
    this.subjects = new StreamSubjects(config.pubsubChannelPrefix, new Set([config.internalChannel, config.natsChannel]));
    this.subscriber = new NatsSubscriber({
      link: this.link,
      ackBoundMs: context.tuning.ackBoundMs,
      logger: context.logger,
      onMessage: (_subject, payload) => context.sink.accept(payload),
    });
    this.publishFailures = new RateLimitedLog(context.logger, 'warn');
    this.summary = {
      pubsub: 'nats',
      target: this.link.target,
      subjects: `${config.pubsubChannelPrefix}<stream>`,
      internal_channel: this.internalSubject,
    };
  }

  start(): Promise<void> {
    return this.subscriber.add(this.internalSubject);
  }

  subscribe(stream: string): Promise<void> {
    return this.subscriber.add(this.subjects.of(stream));
  }

  unsubscribe(stream: string): void {
    this.subscriber.remove(this.subjects.of(stream));
  }

  publish(message: StreamMessage): void {
    this.send(this.subjects.of(message.stream), encodeStreamMessage(message));
  }

  publishCommand(command: RemoteCommand): void {
    this.send(this.internalSubject, encodeRemoteCommand(command));
  }

  isUp(): boolean {
    return this.link.isUp();
  }

  shutdown(): Promise<void> {
    this.subscriber.close();
    return Promise.resolve();
  }

  private send(subject: string, payload: string): void {
    try {
      this.link.publish(subject, payload);
    } catch (error) {
      this.publishFailures.log('nats publish failed: the publication is lost', { subject, error: errorMessage(error) });
    }
  }
}

export function createNatsPubSub(context: PubSubContext): PubSub {
  return new NatsPubSub(context);
}
