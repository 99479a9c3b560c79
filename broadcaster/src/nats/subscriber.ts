import type { NatsConnection, Subscription } from 'nats';
import { errorMessage } from '../../../shared/src/errors';
import { RateLimitedLog, type Logger } from '../../../shared/src/logger';
import { settledWithin } from '../bounded';
import { ChannelReconciler } from '../reconciler';
import type { NatsConnectionUser, NatsLink } from './link';

export interface NatsSubscriberOptions {
  readonly link: NatsLink;
  /** How long `add` waits for the server while it does not answer. */
  readonly ackBoundMs: number;
  readonly logger: Logger;
  /** Called synchronously for every message, in the order the server sent them. */
  readonly onMessage: (subject: string, payload: string) => void;
}

/**
 * A changing set of subjects subscribed on the link's connection: changes go out batched (as the Redis
 * links do) and a subscription is acknowledged by a round trip to the server.
 */
export class NatsSubscriber implements NatsConnectionUser {
  private readonly reconciler: ChannelReconciler;
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly failures: RateLimitedLog;
  private connection: NatsConnection | null = null;

  constructor(private readonly options: NatsSubscriberOptions) {
    this.failures = new RateLimitedLog(options.logger, 'warn');
    this.reconciler = new ChannelReconciler({
      subscribe: (subjects) => this.subscribeOn(subjects),
      unsubscribe: (subjects) => this.unsubscribeFrom(subjects),
    });
    options.link.use(this);
  }

  opened(connection: NatsConnection): void {
    this.connection = connection;
    this.subscriptions.clear();
    this.reconciler.connected();
  }

  closed(): void {
    this.connection = null;
    this.reconciler.disconnected();
  }

  /** Resolves once the server has the subscription, or after the bound while it does not answer. */
  add(subject: string): Promise<void> {
    return settledWithin(this.reconciler.want(subject), this.options.ackBoundMs);
  }

  remove(subject: string): void {
    this.reconciler.drop(subject);
  }

  /** Stops every subscription; nothing is handed on once it returns. */
  close(): void {
    this.options.link.release(this);
    for (const subscription of this.subscriptions.values()) subscription.unsubscribe();
    this.subscriptions.clear();
    this.connection = null;
  }

  /** The client keeps its subscriptions across reconnects itself; a subject is subscribed once per connection. */
  private subscribeOn(subjects: readonly string[]): Promise<unknown> {
    const connection = this.connection;
    if (!connection) return Promise.reject(new Error('no NATS connection'));
    try {
      for (const subject of subjects) {
        if (this.subscriptions.has(subject)) continue;
        this.subscriptions.set(
          subject,
          connection.subscribe(subject, {
            callback: (error, message) => {
              if (error) this.failures.log('nats subscription failed', { subject, error: errorMessage(error) });
              else this.options.onMessage(message.subject, message.string());
            },
          }),
        );
      }
    } catch (error) {
      this.failures.log('nats subscribe failed', { error: errorMessage(error) });
      return Promise.reject(error);
    }
    return connection.flush();
  }

  private unsubscribeFrom(subjects: readonly string[]): Promise<unknown> {
    for (const subject of subjects) {
      this.subscriptions.get(subject)?.unsubscribe();
      this.subscriptions.delete(subject);
    }
    return Promise.resolve();
  }
}
