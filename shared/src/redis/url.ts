import { ConfigError, ErrorCode } from '../errors';
import type { RedisConfig } from './options';

/** One Redis address as a `redis://` or `rediss://` URL names it. */
export interface RedisEndpoint {
  readonly host: string;
  readonly port: number;
  readonly username?: string;
  readonly password?: string;
  readonly db: number;
  readonly tls: boolean;
}

const DEFAULT_PORT = 6379;

function badUrl(url: string, why: string): ConfigError {
  return new ConfigError(ErrorCode.ConfigBadValue, `--redis_url: ${why} in ${JSON.stringify(redactUrl(url))}`);
}

/** The URL with its password replaced, for messages. */
function redactUrl(url: string): string {
  return url.replace(/\/\/([^/@]*):[^/@]*@/, '//$1:***@');
}

export function parseRedisUrl(url: string): RedisEndpoint {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw badUrl(url, 'not a URL');
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') throw badUrl(url, 'expected redis:// or rediss://');
  const path = parsed.pathname.replace(/^\//, '');
  const db = path === '' ? 0 : Number(path);
  if (!Number.isInteger(db) || db < 0) throw badUrl(url, `database ${JSON.stringify(path)} is not a number`);
  const endpoint: { -readonly [K in keyof RedisEndpoint]: RedisEndpoint[K] } = {
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: parsed.port === '' ? DEFAULT_PORT : Number(parsed.port),
    db,
    tls: parsed.protocol === 'rediss:',
  };
  if (parsed.username) endpoint.username = decodeURIComponent(parsed.username);
  if (parsed.password) endpoint.password = decodeURIComponent(parsed.password);
  return endpoint;
}

/** Where a connection goes, for log lines: never a password. */
export function describeRedisTarget(config: RedisConfig): string {
  const endpoints = config.urls.map(parseRedisUrl);
  const first = endpoints[0]!;
  const scheme = first.tls ? 'rediss' : 'redis';
  if (endpoints.length > 1) return `cluster ${endpoints.map((e) => `${e.host}:${e.port}`).join(',')}`;
  if (config.sentinels.length > 0) {
    const sentinels = config.sentinels.map((s) => `${s.host}:${s.port}`).join(',');
    return `sentinel master ${first.host}/${first.db} via ${sentinels}`;
  }
  return `${scheme}://${first.host}:${first.port}/${first.db}`;
}
