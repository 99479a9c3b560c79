import { SubscriberLink } from '../redis/subscriber-link';
import { requireRedis, type AdapterContext, type BroadcastAdapter } from './adapter';

/** Rails joins `channel_prefix` and the broadcasting name with a colon; no prefix means the bare name. */
export function actionCableChannel(prefix: string, stream: string): string {
  return prefix === '' ? stream : `${prefix}:${stream}`;
}

/**
 * Rails' own Action Cable Redis adapter as an input: for each stream this node serves it SUBSCRIBEs the
 * channel Rails publishes to, whose payload is the message itself.
 */
export function createActionCableAdapter(context: AdapterContext): BroadcastAdapter {
  const redis = requireRedis(context, 'actioncable');
  const prefix = context.config.actioncablePrefix;
  const streamStart = actionCableChannel(prefix, '').length;
  const link = new SubscriberLink({
    purpose: 'actioncable',
    shardedOnCluster: false,
    nodeId: context.nodeId,
    redis,
    tuning: context.tuning,
    logger: context.logger,
    onMessage: (channel, payload) => context.sink.acceptMessage(channel.slice(streamStart), payload),
  });
  return {
    summary: { adapter: 'actioncable', target: redis.connections.target, channels: actionCableChannel(prefix, '<stream>') },
    start: () => link.start(),
    shutdown: () => link.close(),
    streams: {
      subscribe: (stream) => link.add(actionCableChannel(prefix, stream)),
      unsubscribe: (stream) => link.remove(actionCableChannel(prefix, stream)),
    },
  };
}
