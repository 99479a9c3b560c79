import type { RemoteCommand, StreamMessage } from '../../shared/src/publication';
import type { PositionedLookup } from './fanout-backlog';

/** Where the bus hands what this node must act on. Both are called synchronously, in arrival order. */
export interface DeliveryHandler {
  /** A message for this node's subscribers of `message.stream` (the node ignores streams it does not serve). */
  deliver(message: StreamMessage): void;
  /** A remote command, executed on every node. */
  execute(command: RemoteCommand): void;
}

/**
 * Gives messages their position in their stream's history before they go to every node (the redis broker),
 * so each publication gets one offset for the whole cluster. Takes a run of messages of one stream, in
 * order, with the origin of each in its fan-out input when it came by one; rejects when the history cannot
 * be written. It also tells what it positioned last from a fan-out input, for a node taking over from a
 * lease holder that died.
 */
export interface MessagePositioner extends PositionedLookup {
  position(stream: string, messages: readonly StreamMessage[], origins?: readonly string[]): Promise<readonly StreamMessage[]>;
}

/** The POST /_broadcast endpoint of the http adapter; the gateway mounts it on the right port. */
export interface HttpBroadcastEndpoint {
  readonly port: number;
  readonly path: string;
  /** Largest body accepted (a batch may carry many messages), in bytes; larger ones get 413 unread. */
  readonly maxBodySize: number;
  /**
   * True when a body declared `length` bytes long, beginning with `head`, is refused with 413 before the
   * rest is read: a single message (not a batch) larger than any subscriber could take.
   */
  refusesUnread(length: number, head: Buffer): boolean;
  /** Authorizes and takes one request body; answers the HTTP status (201, 401, 413, 422, or 503 while the relay is down). */
  handle(authorization: string, body: Buffer): number;
}

export interface BusHealth {
  /** The configured transports that are down (`redis`, `nats`); empty while every one is up. */
  readonly degraded: readonly string[];
}

/**
 * Gets every publication from Rails to every node that serves its stream. The gateway sees broadcasting
 * only through this interface.
 */
export interface BroadcastBus {
  /** Starts every adapter and the node-to-node pub/sub; resolves when the node can receive. */
  start(handler: DeliveryHandler): Promise<void>;
  /**
   * The first local subscriber of `stream` appeared. Resolves once this node hears the stream (the server has
   * acknowledged the subscription), or after a short bound while it is down (it resubscribes on reconnect).
   */
  subscribe(stream: string): Promise<void>;
  /** The last local subscriber of `stream` left. */
  unsubscribe(stream: string): void;
  /** Publishes one message to the subscribers of its stream on every node (whispers). */
  publish(message: StreamMessage): void;
  /** The HTTP endpoint, when the http adapter is on. */
  readonly httpEndpoint: HttpBroadcastEndpoint | null;
  health(): BusHealth;
  /** Stops reading input first, then the pub/sub, so nothing accepted is dropped in between. */
  shutdown(): Promise<void>;
}
