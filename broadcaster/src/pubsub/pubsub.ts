import type { LogFields } from '../../../shared/src/logger';
import type { RemoteCommand, StreamMessage } from '../../../shared/src/publication';
import type { DeliveryHandler } from '../bus';
import type { BusContext } from '../context';

/**
 * The node-to-node layer: a publication entering any node reaches every node that serves its stream, and a
 * remote command reaches every node. What arrives is handed to the node's local delivery.
 */
export interface PubSub {
  /** Fields of its startup log line. */
  readonly summary: LogFields;
  /** Resolves when this node hears remote commands (or after a bound while the server does not answer). */
  start(): Promise<void>;
  /** Resolves when this node hears `stream` (or after a bound while the server does not answer). */
  subscribe(stream: string): Promise<void>;
  unsubscribe(stream: string): void;
  publish(message: StreamMessage): void;
  publishCommand(command: RemoteCommand): void;
  /** Whether what is published now reaches the other nodes: inputs refuse publications while it does not. */
  isUp(): boolean;
  shutdown(): Promise<void>;
}

export interface PubSubContext extends BusContext {
  /** This node's own delivery, for a pub/sub that stays in the process. */
  readonly delivery: DeliveryHandler;
}
