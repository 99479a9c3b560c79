import type { Logger } from '../../shared/src/logger';
import type { BroadcastCounters } from './metrics';
import type { NatsContext } from './nats/context';
import { NatsLink } from './nats/link';
import type { BroadcastConfig } from './options';
import { RedisConnections } from './redis/connections';
import type { RedisContext } from './redis/context';
import type { Transport } from './transport';
import type { BusTuning } from './tuning';

/** The transports the configuration asks for; `null` where none is configured. */
export interface Transports {
  readonly redis: RedisContext | null;
  readonly nats: NatsContext | null;
}

export interface TransportOptions {
  readonly nodeId: string;
  readonly tuning: BusTuning;
  readonly logger: Logger;
  readonly counters: BroadcastCounters;
}

function openRedis(config: BroadcastConfig, { nodeId, logger, counters }: TransportOptions): RedisContext | null {
  if (!config.redis) return null;
  const connections = new RedisConnections(config.redis, nodeId, logger.child({ component: 'redis' }), counters.redisReconnects);
  const commands = connections.connect('commands', 'commands');
  return {
    connections,
    commands,
    probeFailures: counters.probeFailures,
    health: {
      name: 'redis',
      gaugeHelp: '1 while every Redis connection of the node is ready, else 0',
      isUp: () => connections.allReady(),
    },
    close: () => connections.close(commands, true),
  };
}

function openNats(config: BroadcastConfig, options: TransportOptions): NatsContext | null {
  if (!config.nats) return null;
  const link = new NatsLink(config.nats, {
    name: `cableway-${options.nodeId}`,
    pingIntervalMs: options.tuning.natsPingIntervalMs,
    logger: options.logger.child({ component: 'nats' }),
    reconnects: options.counters.natsReconnects,
  });
  return {
    link,
    health: { name: 'nats', gaugeHelp: '1 while the NATS connection of the node is up, else 0', isUp: () => link.isUp() },
    close: () => link.close(),
  };
}

/** Opens the connections of every configured transport; they connect (and reconnect) in the background. */
export function openTransports(config: BroadcastConfig, options: TransportOptions): Transports {
  return { redis: openRedis(config, options), nats: openNats(config, options) };
}

/** The transports that are configured, for health and shutdown. */
export function transportsIn(transports: Transports): Transport[] {
  return Object.values(transports).filter((transport): transport is Transport => transport !== null);
}
