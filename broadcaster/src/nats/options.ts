import type { ConnectionOptions } from 'nats';
import { ConfigError, ErrorCode } from '../../../shared/src/errors';

/** How to reach NATS; shared by the gateway and the publisher CLI. Names and defaults are anycable-go's. */
export const natsOptions = {
  nats_servers: {
    toml: 'nats.servers',
    type: 'string',
    default: 'nats://127.0.0.1:4222',
    secret: true,
    category: 'NATS',
    help: 'NATS server URLs, comma-separated: nats://[user:password@ or token@]host:port (default nats://127.0.0.1:4222)',
  },
  nats_dont_randomize_servers: {
    toml: 'nats.dont_randomize_servers',
    type: 'boolean',
    default: false,
    category: 'NATS',
    help: 'Try the NATS servers in the order given instead of a random one',
  },
} as const;

/** Credentials carried by the server URLs, as the NATS Go client (and so anycable-go) reads them. */
export type NatsCredentials = { readonly user: string; readonly pass: string } | { readonly token: string };

export interface NatsConfig {
  /** `host:port` of each server, without credentials. */
  readonly servers: readonly string[];
  readonly credentials: NatsCredentials | null;
  readonly dontRandomize: boolean;
  /** A `tls://` URL: the connection must be secured. */
  readonly tls: boolean;
}

const DEFAULT_PORT = 4222;

function badServers(why: string): ConfigError {
  return new ConfigError(ErrorCode.ConfigBadValue, `--nats_servers: ${why}`);
}

/** The URL with its password or token replaced, for messages and logs. */
export function maskNatsUrl(url: string): string {
  return url.replace(/\/\/([^/@:]*)(:[^/@]*)?@/, (_match, user: string, password: string | undefined) =>
    password === undefined ? '//***@' : `//${user}:***@`,
  );
}

/** `user:password@` gives a user and password, a lone `token@` a token. */
function credentialsOf(entry: string, url: URL): NatsCredentials | null {
  const userinfo = /^[a-z]+:\/\/([^/@]*)@/i.exec(entry)?.[1];
  if (userinfo === undefined) return null;
  const user = decodeURIComponent(url.username);
  return userinfo.includes(':') ? { user, pass: decodeURIComponent(url.password) } : { token: user };
}

function sameCredentials(a: NatsCredentials | null, b: NatsCredentials | null): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Reads `nats://`, `tls://` or bare `host:port` entries; throws a ConfigError naming what is wrong. */
export function resolveNatsConfig(values: { nats_servers: string; nats_dont_randomize_servers: boolean }): NatsConfig {
  const entries = values.nats_servers
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (entries.length === 0) throw badServers('no server given');
  let credentials: NatsCredentials | null | undefined;
  let tls = false;
  const servers = entries.map((entry) => {
    const full = entry.includes('://') ? entry : `nats://${entry}`;
    let url: URL;
    try {
      url = new URL(full);
    } catch {
      throw badServers(`not a URL: ${JSON.stringify(maskNatsUrl(entry))}`);
    }
    if (!['nats:', 'tls:'].includes(url.protocol) || url.hostname === '') {
      throw badServers(`expected nats://host:port, got ${JSON.stringify(maskNatsUrl(entry))}`);
    }
    const own = credentialsOf(full, url);
    if (credentials !== undefined && !sameCredentials(credentials, own)) {
      throw badServers('every server URL must carry the same credentials (or none)');
    }
    credentials = own;
    tls ||= url.protocol === 'tls:';
    return `${url.hostname}:${url.port === '' ? DEFAULT_PORT : url.port}`;
  });
  return { servers, credentials: credentials ?? null, dontRandomize: values.nats_dont_randomize_servers, tls };
}

/** Where the connection goes, for log lines: never a credential. */
export function describeNatsTarget(config: NatsConfig): string {
  const auth = config.credentials === null ? '' : 'user' in config.credentials ? ' (user and password)' : ' (token)';
  return `${config.tls ? 'tls' : 'nats'}://${config.servers.join(',')}${auth}`;
}

/** What the NATS client needs to reach the servers of `config`. */
export function natsConnectionOptions(config: NatsConfig): ConnectionOptions {
  return {
    servers: [...config.servers],
    noRandomize: config.dontRandomize,
    ...(config.credentials ?? {}),
    ...(config.tls ? { tls: {} } : {}),
  };
}
