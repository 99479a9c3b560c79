import type { StreamMessage, StreamPosition } from '../../../shared/src/publication';
import type { Connection } from './connection';
import type { ProtocolName } from './protocol';

/** A connection as the stream fan-out sees it: where frames go, and the protocol that encodes them. */
export interface StreamSubscriber {
  readonly connection: Connection;
  readonly protocol: ProtocolName;
}

/**
 * Starts and stops the streams of a subscription (the hub, for sessions). A subscription that is to catch up
 * on its history is *held*: it receives nothing live until `release` has written its history reply.
 */
export interface StreamRouter {
  /**
   * Returns a promise when the node has only now started to listen for the stream (callers wait for it
   * before confirming), undefined otherwise.
   */
  subscribe(subscriber: StreamSubscriber, stream: string, identifier: string, held?: boolean): Promise<void> | undefined;
  /** Holds a live subscription, so that a history reply can be written before its next live message. */
  hold(subscriber: StreamSubscriber, stream: string, identifier: string): void;
  /**
   * Writes the history reply of a held subscription, then what arrived live meanwhile, each message once and
   * in order; `seen` is the position the client already has on the stream (null: none).
   */
  release(
    subscriber: StreamSubscriber,
    stream: string,
    identifier: string,
    backlog: readonly StreamMessage[],
    seen: StreamPosition | null,
  ): void;
  unsubscribe(subscriber: StreamSubscriber, stream: string, identifier: string): void;
}

/** Publishes one message to the subscribers of its stream on every node (whispers). */
export interface StreamPublisher {
  publish(message: StreamMessage): void;
}
