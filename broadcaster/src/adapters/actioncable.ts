import type { BroadcastConfig } from '../options';
import { PROBE_CHANNEL_PREFIX, SubscriberLink } from '../redis/subscriber-link';
import { requireRedis, type AdapterContext, type BroadcastAdapter, type PositioningTurn } from './adapter';

/** Rails joins `channel_prefix` and the broadcasting name with a colon; no prefix means the bare name. */
export function actionCableChannel(prefix: string, stream: string): string {
  return prefix === '' ? stream : `${prefix}:${stream}`;
}

/** The PSUBSCRIBE pattern of every channel Rails publishes to: glob characters of the prefix stand for themselves. */
export function actionCablePattern(prefix: string): string {
  return actionCableChannel(prefix.replace(/[*?[\]\\]/g, '\\$&'), '*');
}

/**
 * Channels this product itself publishes to (node-to-node streams and commands, the legacy broadcast
 * channel, probes) that a pattern over Rails' channels may match too, bare ones above all: they are not
 * Rails' streams.
 */
function ownChannel(config: BroadcastConfig): (channel: string) => boolean {
  const prefixes = [PROBE_CHANNEL_PREFIX, ...(config.pubsubChannelPrefix ? [config.pubsubChannelPrefix] : [])];
  const channels = new Set([config.internalChannel, config.redisChannel]);
  return (channel) => channels.has(channel) || prefixes.some((prefix) => channel.startsWith(prefix));
}

/** Where the next lease holder sends its handover fence: a channel the pattern over Rails' channels matches. */
function fenceChannel(prefix: string): string {
  return actionCableChannel(prefix, 'cableway:handover-fence');
}

/**
 * The lease holder hears every stream's channel; the other nodes none (what they would hear is dropped).
 * A node taking the turn over subscribes the pattern before it sends its fence, so it hears what follows.
 */
function followTurn(link: SubscriberLink, pattern: string, prefix: string, turn: PositioningTurn): Promise<void> {
  turn.onChange((held) => {
    if (held) void link.addPattern(pattern);
    else link.removePattern(pattern);
  });
  turn.handOverThrough({
    listen: () => link.addPattern(pattern),
    send: async (fence) => void (await link.publish(fenceChannel(prefix), fence)),
  });
  return turn.held ? link.addPattern(pattern) : Promise.resolve();
}

/**
 * Rails' own Action Cable Redis adapter as an input, whose payload is the message itself. With no broker
 * positioning, each node SUBSCRIBEs the channel of each stream it serves and delivers locally. With one, the
 * node holding the positioning turn PSUBSCRIBEs every stream's channel and relays what it hears, positioned,
 * through the node-to-node pub/sub, as the `redis` adapter's publications are.
 */
export function createActionCableAdapter(context: AdapterContext): BroadcastAdapter {
  const redis = requireRedis(context, 'actioncable');
  const prefix = context.config.actioncablePrefix;
  const streamStart = actionCableChannel(prefix, '').length;
  const turn = context.positioning;
  const skipped = turn ? ownChannel(context.config) : () => false;
  const fence = fenceChannel(prefix);
  const link = new SubscriberLink({
    purpose: 'actioncable',
    shardedOnCluster: false,
    nodeId: context.nodeId,
    redis,
    tuning: context.tuning,
    logger: context.logger,
    onMessage: (channel, payload) => {
      if (channel === fence) turn?.fenceHeard(payload);
      else if (!skipped(channel)) context.sink.acceptMessage(channel.slice(streamStart), payload);
    },
  });
  const summary = { adapter: 'actioncable', target: redis.connections.target, channels: actionCableChannel(prefix, '<stream>') };
  if (turn) {
    const pattern = actionCablePattern(prefix);
    return {
      summary: { ...summary, pattern, positioned_by: 'the fan-out lease holder' },
      start: async () => {
        await Promise.all([link.start(), followTurn(link, pattern, prefix, turn)]);
      },
      shutdown: () => link.close(),
    };
  }
  return {
    summary,
    start: () => link.start(),
    shutdown: () => link.close(),
    streams: {
      subscribe: (stream) => link.add(actionCableChannel(prefix, stream)),
      unsubscribe: (stream) => link.remove(actionCableChannel(prefix, stream)),
    },
  };
}
