import { requireTransport } from '../context';
import type { PubSubName } from '../options';
import { createMemoryPubSub } from './memory';
import { createNatsPubSub } from './nats';
import type { PubSub, PubSubContext } from './pubsub';
import { RedisPubSub } from './redis';

export const PUBSUBS: Readonly<Record<PubSubName, (context: PubSubContext) => PubSub>> = {
  memory: (context) => createMemoryPubSub(context.delivery),
  redis: (context) =>
    new RedisPubSub({
      channelPrefix: context.config.pubsubChannelPrefix,
      internalChannel: context.config.internalChannel,
      redis: requireTransport(context.redis, '--pubsub=redis', 'Redis: set --redis_url'),
      nodeId: context.nodeId,
      tuning: context.tuning,
      logger: context.logger,
      sink: context.sink,
    }),
  nats: createNatsPubSub,
};
