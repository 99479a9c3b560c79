import type { StreamMessage } from '../../../shared/src/publication';
import type { Connection } from './connection';
import type { ProtocolName } from './protocol';

/** A connection as the stream fan-out sees it: where frames go, and the protocol that encodes them. */
export interface StreamSubscriber {
  readonly connection: Connection;
  readonly protocol: ProtocolName;
}

/** Starts and stops the streams of a subscription (the hub, for sessions). */
export interface StreamRouter {
  /**
   * Returns a promise when the node has only now started to listen for the stream (callers wait for it
   * before confirming), undefined otherwise.
   */
  subscribe(subscriber: StreamSubscriber, stream: string, identifier: string): Promise<void> | undefined;
  unsubscribe(subscriber: StreamSubscriber, stream: string, identifier: string): void;
}

/** Publishes one message to the subscribers of its stream on every node (whispers). */
export interface StreamPublisher {
  publish(message: StreamMessage): void;
}
