import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import { ConfigError, ErrorCode, errorMessage } from '../errors';
import type { Logger } from '../logger';
import { reconnectDelay } from './backoff';
import type { RedisConfig, RedisTls } from './options';
import { logTransitions } from './transitions';
import { describeRedisTarget, parseRedisUrl, type RedisEndpoint } from './url';

export type RedisConnection = Redis | Cluster;

/**
 * `commands`: PUBLISH, XADD, XREADGROUP… with an offline queue that gives up after a few reconnects.
 * `subscriber`: SUBSCRIBE only. On a standalone or Sentinel server it neither queues commands while offline
 * nor replays its subscriptions after a reconnect: its owner re-subscribes on every `ready`, from the set of
 * channels it wants now. On a Cluster it uses sharded pub/sub, and ioredis re-subscribes each shard itself.
 */
export type RedisRole = 'commands' | 'subscriber';

/** Commands waiting while the link is down are failed after this many reconnect attempts. */
const COMMAND_RETRIES = 3;

function readPem(path: string, flag: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new ConfigError(ErrorCode.ConfigBadValue, `--${flag}: cannot read ${path}: ${errorMessage(error)}`, { cause: error });
  }
}

function tlsOptions(tls: RedisTls): ConnectionOptions {
  const options: ConnectionOptions = { rejectUnauthorized: tls.verify };
  if (tls.caPath) options.ca = readPem(tls.caPath, 'redis_tls_ca_cert_path');
  if (tls.certPath) options.cert = readPem(tls.certPath, 'redis_tls_client_cert_path');
  if (tls.keyPath) options.key = readPem(tls.keyPath, 'redis_tls_client_key_path');
  return options;
}

/** Who connects, and how: the same for every topology. */
function connectionOptions(config: RedisConfig, endpoint: RedisEndpoint, name: string): RedisOptions {
  return {
    connectionName: name,
    ...(config.keepaliveMs > 0 ? { keepAlive: config.keepaliveMs } : {}),
    ...(endpoint.username ? { username: endpoint.username } : {}),
    ...(endpoint.password ? { password: endpoint.password } : {}),
    ...(endpoint.tls ? { tls: tlsOptions(config.tls) } : {}),
  };
}

const COMMAND_OPTIONS: RedisOptions = { maxRetriesPerRequest: COMMAND_RETRIES };

/**
 * On a commands connection, the commands issued in one turn of the event loop go out in one write. A batch
 * of broadcasts is then one write to Redis, not one per PUBLISH, and Redis answers every node's subscriber
 * with the batch in one read: its frames leave in one write per client, as from the node that took the
 * batch. A Cluster pipelines by slot itself, above its node connections.
 */
const pipelined = (role: RedisRole): boolean => role === 'commands';

/** See `RedisRole`: the owner of a standalone subscriber re-subscribes, from what it wants now. */
const STANDALONE_ROLE_OPTIONS: Readonly<Record<RedisRole, RedisOptions>> = {
  commands: COMMAND_OPTIONS,
  subscriber: { autoResubscribe: false, enableOfflineQueue: false, autoResendUnfulfilledCommands: false },
};

function createCluster(config: RedisConfig, role: RedisRole, endpoints: readonly RedisEndpoint[], name: string): Cluster {
  const options: ClusterOptions = {
    clusterRetryStrategy: (attempt) => reconnectDelay(attempt),
    // One subscriber connection per shard; ioredis keeps their channels and re-subscribes after a refresh.
    shardedSubscribers: role === 'subscriber',
    enableAutoPipelining: pipelined(role),
    redisOptions: { ...connectionOptions(config, endpoints[0]!, name), ...(role === 'commands' ? COMMAND_OPTIONS : {}) },
  };
  return new Cluster(
    endpoints.map(({ host, port }) => ({ host, port })),
    options,
  );
}

function createStandalone(config: RedisConfig, role: RedisRole, endpoint: RedisEndpoint, name: string): Redis {
  const base: RedisOptions = {
    ...connectionOptions(config, endpoint, name),
    ...STANDALONE_ROLE_OPTIONS[role],
    enableAutoPipelining: pipelined(role),
    db: endpoint.db,
    retryStrategy: (attempt) => reconnectDelay(attempt),
  };
  if (config.sentinels.length === 0) return new Redis({ ...base, host: endpoint.host, port: endpoint.port });
  const sentinelPassword = config.sentinels.find((sentinel) => sentinel.password)?.password;
  return new Redis({
    ...base,
    name: endpoint.host,
    sentinels: config.sentinels.map(({ host, port }) => ({ host, port })),
    sentinelRetryStrategy: (attempt) => reconnectDelay(attempt),
    // Hears the sentinels' +switch-master, so a failover is followed at once rather than on the next error.
    failoverDetector: true,
    ...(sentinelPassword ? { sentinelPassword } : {}),
  });
}

/** A Redis client name (CLIENT SETNAME) takes printable characters other than the space only. */
export function redisClientName(...parts: readonly string[]): string {
  return parts.join('-').replace(/[^!-~]/g, '_');
}

/**
 * Opens one connection to the configured Redis: standalone, Sentinel (the URL host is the master name) or
 * Cluster (several URLs). It retries for ever with capped, jittered backoff and never ends the process;
 * every state change is logged with the target, never the password. `name` is its client name in CLIENT LIST.
 */
export function createRedisConnection(
  config: RedisConfig,
  role: RedisRole,
  logger: Logger,
  name = redisClientName('cableway', role),
): RedisConnection {
  const endpoints = config.urls.map(parseRedisUrl);
  const connection =
    endpoints.length > 1 ? createCluster(config, role, endpoints, name) : createStandalone(config, role, endpoints[0]!, name);
  logTransitions(connection, describeRedisTarget(config), logger.child({ role }));
  return connection;
}
