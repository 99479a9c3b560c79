import { SubscriberLink } from '../redis/subscriber-link';
import { requireRedis, type AdapterContext, type BroadcastAdapter } from './adapter';

/** The legacy fan-out input: every node SUBSCRIBEs `--redis_channel` and delivers everything locally. */
export function createRedisAdapter(context: AdapterContext): BroadcastAdapter {
  const redis = requireRedis(context, 'redis');
  const channel = context.config.redisChannel;
  const link = new SubscriberLink({
    purpose: 'redis',
    shardedOnCluster: false,
    nodeId: context.nodeId,
    redis,
    tuning: context.tuning,
    logger: context.logger,
    onMessage: (_channel, payload) => context.sink.accept(payload),
  });
  return {
    summary: { adapter: 'redis', target: redis.connections.target, channel },
    start: async () => {
      await Promise.all([link.start(), link.add(channel)]);
    },
    shutdown: () => link.close(),
  };
}
