import { looksLikeFence } from '../handover-fence';
import { SubscriberLink } from '../redis/subscriber-link';
import { requireRedis, startedInputLine, type AdapterContext, type BroadcastAdapter } from './adapter';

/** The legacy fan-out input: every node SUBSCRIBEs `--redis_channel` and delivers everything locally. */
export function createRedisAdapter(context: AdapterContext): BroadcastAdapter {
  const redis = requireRedis(context, 'redis');
  const channel = context.config.redisChannel;
  const turn = context.positioning;
  const link = new SubscriberLink({
    purpose: 'redis',
    shardedOnCluster: false,
    nodeId: context.nodeId,
    redis,
    tuning: context.tuning,
    logger: context.logger,
    // A handover fence is never a publication; without a positioning turn it is nobody's business here.
    onMessage: (_channel, payload) => (looksLikeFence(payload) ? turn?.fenceHeard(payload) : context.sink.accept(payload)),
  });
  const input = startedInputLine(
    async () => void (await Promise.all([link.start(), link.add(channel)])),
    async (fence) => void (await link.publish(channel, fence)),
  );
  turn?.handOverThrough(input.line);
  return {
    summary: { adapter: 'redis', target: redis.connections.target, channel },
    start: input.start,
    shutdown: () => link.close(),
  };
}
