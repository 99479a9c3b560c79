import type { OptionValues } from '../config/options';
import { ConfigError, ErrorCode } from '../errors';

/** How to reach Redis; shared by the gateway and the publisher CLI. */
export const redisOptions = {
  redis_url: {
    toml: 'redis.url',
    type: 'string',
    default: '',
    env: ['REDIS_URL'],
    secret: true,
    category: 'Redis',
    help: 'Redis URL (redis:// or rediss://); several comma-separated URLs mean a Redis Cluster. Unset: standalone mode, no Redis',
  },
  redis_sentinels: {
    toml: 'redis.sentinels',
    type: 'list',
    default: [],
    category: 'Redis',
    help: 'Sentinel addresses host:port (or :password@host:port); the host of --redis_url is then the master name',
  },
  redis_tls_verify: {
    toml: 'redis.tls_verify',
    type: 'boolean',
    default: false,
    category: 'Redis',
    help: 'Verify the Redis server certificate with rediss://',
  },
  redis_tls_ca_cert_path: {
    toml: 'redis.tls_ca_cert_path',
    type: 'string',
    default: '',
    category: 'Redis',
    help: 'CA certificate (PEM file) for rediss://',
  },
  redis_tls_client_cert_path: {
    toml: 'redis.tls_client_cert_path',
    type: 'string',
    default: '',
    category: 'Redis',
    help: 'Client certificate (PEM file) for rediss://',
  },
  redis_tls_client_key_path: {
    toml: 'redis.tls_client_key_path',
    type: 'string',
    default: '',
    category: 'Redis',
    help: 'Client private key (PEM file) for rediss://',
  },
  redis_keepalive_interval: {
    toml: 'redis.keepalive_ping_interval',
    type: 'integer',
    default: 30,
    min: 0,
    category: 'Redis',
    help: 'Seconds between TCP keepalive probes on Redis connections (0: off)',
  },
} as const;

export type RedisOptionValues = OptionValues<typeof redisOptions>;

export interface RedisSentinel {
  readonly host: string;
  readonly port: number;
  readonly password?: string;
}

export interface RedisTls {
  readonly verify: boolean;
  readonly caPath?: string;
  readonly certPath?: string;
  readonly keyPath?: string;
}

/** A resolved Redis target: one URL (standalone or Sentinel) or several (Cluster). */
export interface RedisConfig {
  readonly urls: readonly string[];
  readonly sentinels: readonly RedisSentinel[];
  readonly tls: RedisTls;
  readonly keepaliveMs: number;
}

export const DEFAULT_REDIS_URL = 'redis://localhost:6379';

function parseSentinel(entry: string): RedisSentinel {
  const match = /^(?::([^@]*)@)?([^:@]+):(\d+)$/.exec(entry);
  if (!match) {
    throw new ConfigError(
      ErrorCode.ConfigBadValue,
      `--redis_sentinels: expected host:port or :password@host:port, got ${JSON.stringify(entry)}`,
    );
  }
  const [, password, host, port] = match;
  return password ? { host: host!, port: Number(port), password } : { host: host!, port: Number(port) };
}

/** `null` when no Redis is configured and none is required. */
export function resolveRedisConfig(values: RedisOptionValues, required: boolean): RedisConfig | null {
  const urls = values.redis_url
    .split(',')
    .map((url) => url.trim())
    .filter((url) => url !== '');
  if (urls.length === 0 && !required) return null;
  const tls: { verify: boolean; caPath?: string; certPath?: string; keyPath?: string } = { verify: values.redis_tls_verify };
  if (values.redis_tls_ca_cert_path) tls.caPath = values.redis_tls_ca_cert_path;
  if (values.redis_tls_client_cert_path) tls.certPath = values.redis_tls_client_cert_path;
  if (values.redis_tls_client_key_path) tls.keyPath = values.redis_tls_client_key_path;
  return {
    urls: urls.length > 0 ? urls : [DEFAULT_REDIS_URL],
    sentinels: values.redis_sentinels.map(parseSentinel),
    tls,
    keepaliveMs: values.redis_keepalive_interval * 1000,
  };
}
