import type { RemoteCommand, StreamMessage } from '../../../shared/src/publication';
import type { DeliveryHandler } from '../bus';
import type { PubSub } from './pubsub';

/** A single node: whatever is published is delivered here, synchronously. */
export function createMemoryPubSub(delivery: DeliveryHandler): PubSub {
  return {
    summary: { pubsub: 'memory' },
    start: () => Promise.resolve(),
    subscribe: () => Promise.resolve(),
    unsubscribe: () => undefined,
    publish: (message: StreamMessage) => delivery.deliver(message),
    publishCommand: (command: RemoteCommand) => delivery.execute(command),
    isUp: () => true,
    shutdown: () => Promise.resolve(),
  };
}
