import { Cluster } from 'ioredis';
import type { RedisConnection } from '../../../shared/src/redis/connect';
import { keySlot } from '../../../shared/src/redis/slot';
import type { ChannelCommands } from '../reconciler';

/**
 * Classic pub/sub, or sharded pub/sub (SSUBSCRIBE/SPUBLISH) on a Cluster, where each channel lives on the
 * shard that owns its slot instead of being broadcast to every shard.
 */
export interface PubSubDialect extends ChannelCommands {
  readonly messageEvent: 'message' | 'smessage';
  publish(channel: string, payload: string): Promise<unknown>;
}

/** One sharded (un)subscribe may only name channels of one slot. */
function bySlot(channels: readonly string[]): string[][] {
  const groups = new Map<number, string[]>();
  for (const channel of channels) {
    const slot = keySlot(channel);
    const group = groups.get(slot);
    if (group) group.push(channel);
    else groups.set(slot, [channel]);
  }
  return [...groups.values()];
}

function shardedDialect(cluster: Cluster, publisher: RedisConnection): PubSubDialect {
  return {
    messageEvent: 'smessage',
    subscribe: (channels) => Promise.all(bySlot(channels).map((group) => cluster.ssubscribe(...group))),
    unsubscribe: (channels) => Promise.all(bySlot(channels).map((group) => cluster.sunsubscribe(...group))),
    publish: (channel, payload) => publisher.spublish(channel, payload),
  };
}

/**
 * `subscriber` takes the subscriptions; `publisher` (a commands connection to the same Redis) publishes.
 * `shardedOnCluster`: channels this product owns go sharded on a Cluster; channels Rails publishes to with
 * a plain PUBLISH (the legacy broadcast channel, Action Cable's) must be heard with a plain SUBSCRIBE.
 */
export function pubSubDialect(subscriber: RedisConnection, publisher: RedisConnection, shardedOnCluster: boolean): PubSubDialect {
  if (shardedOnCluster && subscriber instanceof Cluster) return shardedDialect(subscriber, publisher);
  return {
    messageEvent: 'message',
    subscribe: (channels) => subscriber.subscribe(...channels),
    unsubscribe: (channels) => subscriber.unsubscribe(...channels),
    publish: (channel, payload) => publisher.publish(channel, payload),
  };
}
