import { randomBytes } from 'node:crypto';
import { formatHelp, parseOptions } from '../../../shared/src/config/options';
import { ConfigError, ErrorCode } from '../../../shared/src/errors';
import type { LogFormat, LogLevel } from '../../../shared/src/logger';
import { resolveBroadcastConfig, type BroadcastConfig } from '../../../broadcaster/src/options';
import { gatewayOptions, type GatewayOptionValues } from './options';

export type PingPrecision = 's' | 'ms' | 'ns';
export type DisconnectMode = 'auto' | 'always' | 'never';

export interface JwtConfig {
  readonly secret: string;
  readonly param: string;
  readonly enforce: boolean;
}

export interface StreamsConfig {
  /** Secret of signed `$pubsub` names (empty: signed names always fail, as upstream). */
  readonly pubsubSecret: string;
  readonly publicStreams: boolean;
  readonly whisper: boolean;
  /** Whether signed `$pubsub` streams track presence (unsigned ones always do). */
  readonly presence: boolean;
  /** `null`: Turbo::StreamsChannel goes to RPC. */
  readonly turboSecret: string | null;
  /** `null`: CableReady::Stream goes to RPC. */
  readonly cableReadySecret: string | null;
}

/** Where stream history, restorable sessions and presence live: nowhere, this node's memory, or Redis. */
export type BrokerKind = 'none' | 'memory' | 'redis';

export interface BrokerConfig {
  readonly kind: BrokerKind;
  readonly historyLimit: number;
  readonly historyTtlSec: number;
  /** 0: sessions are not kept. */
  readonly sessionsTtlSec: number;
  readonly presenceTtlSec: number;
}

export interface GatewayConfig {
  readonly nodeId: string;
  readonly server: {
    readonly host: string;
    readonly port: number;
    readonly paths: readonly string[];
    readonly healthPath: string;
    readonly allowedOrigins: readonly string[];
    readonly maxConn: number;
    readonly maxMessageSize: number;
    readonly maxPendingSize: number;
  };
  readonly ping: { readonly intervalSec: number; readonly precision: PingPrecision };
  readonly auth: { readonly jwt: JwtConfig | null; readonly noauth: boolean };
  readonly streams: StreamsConfig;
  readonly rpc: {
    readonly enabled: boolean;
    readonly host: string;
    readonly concurrency: number;
    readonly commandTimeoutMs: number;
    readonly requestTimeoutMs: number;
    readonly headers: readonly string[];
  };
  readonly disconnect: { readonly mode: DisconnectMode; readonly ratePerSec: number; readonly backlog: number };
  readonly broadcast: BroadcastConfig;
  readonly broker: BrokerConfig;
  readonly metrics: { readonly path: string | null; readonly host: string; readonly port: number; readonly prefix: string };
  readonly log: { readonly level: LogLevel; readonly format: LogFormat };
  readonly shutdown: { readonly timeoutSec: number; readonly delaySec: number };
  /** Old option names that were used, for one warning each at start. */
  readonly deprecations: readonly string[];
}

/** Secret values of `none` mean "not set", as in anycable-go. */
function secretValue(value: string): string {
  return value === 'none' ? '' : value;
}

function firstNonEmpty(...values: string[]): string {
  return values.find((value) => value !== '') ?? '';
}

const DEPRECATED_REPLACEMENTS: Readonly<Record<string, string>> = {
  jwt_id_key: 'jwt_secret',
  jwt_id_param: 'jwt_param',
  jwt_id_enforce: 'enforce_jwt',
  turbo_rails_key: 'turbo_streams and turbo_streams_secret',
  cable_ready_key: 'cable_ready and cable_ready_secret',
  http_broadcast_secret: 'broadcast_key',
  disable_disconnect: 'disconnect_mode=never',
  disconnect_timeout: 'shutdown_timeout',
};

function resolveJwt(v: GatewayOptionValues, explicit: ReadonlySet<string>): JwtConfig | null {
  const secret = firstNonEmpty(secretValue(v.jwt_secret), secretValue(v.jwt_id_key), secretValue(v.secret));
  if (secret === '') return null;
  // Unlike anycable-go 1.5+, the old --jwt_id_param still works when --jwt_param is not given.
  const param = explicit.has('jwt_param') || v.jwt_id_param === '' ? v.jwt_param : v.jwt_id_param;
  return { secret, param, enforce: v.enforce_jwt || v.jwt_id_enforce };
}

function resolveStreams(v: GatewayOptionValues): StreamsConfig {
  const streamsSecret = firstNonEmpty(secretValue(v.streams_secret), secretValue(v.secret));
  const turboSecret = firstNonEmpty(secretValue(v.turbo_streams_secret), secretValue(v.turbo_rails_key), streamsSecret);
  const cableReadySecret = firstNonEmpty(secretValue(v.cable_ready_secret), secretValue(v.cable_ready_key), streamsSecret);
  const turboOn = v.turbo_streams || v.turbo_rails_key !== '';
  const cableReadyOn = v.cable_ready || v.cable_ready_streams || v.cable_ready_key !== '';
  return {
    pubsubSecret: streamsSecret,
    publicStreams: v.public_streams || v.public,
    whisper: v.streams_whisper,
    presence: v.streams_presence,
    turboSecret: turboOn && turboSecret !== '' ? turboSecret : null,
    cableReadySecret: cableReadyOn && cableReadySecret !== '' ? cableReadySecret : null,
  };
}

function resolveBroker(v: GatewayOptionValues, broadcast: BroadcastConfig): BrokerConfig {
  if (v.broker === 'nats') {
    throw new ConfigError(ErrorCode.ConfigBadValue, '--broker=nats is not supported by Cableway: use --broker=redis (or memory)');
  }
  const kind: BrokerKind = v.broker === '' || v.broker === 'none' ? 'none' : v.broker;
  if (kind === 'redis' && !broadcast.redis) {
    throw new ConfigError(ErrorCode.ConfigBadValue, '--broker=redis needs Redis: set --redis_url');
  }
  return {
    kind,
    historyLimit: v.history_limit,
    historyTtlSec: v.history_ttl,
    sessionsTtlSec: v.sessions_ttl,
    presenceTtlSec: v.presence_ttl,
  };
}

export function resolveConfig(v: GatewayOptionValues, explicit: ReadonlySet<string>): GatewayConfig {
  const secret = secretValue(v.secret);
  const broadcast = resolveBroadcastConfig(v, { secret, public: v.public, mainPort: v.port });
  return {
    nodeId: v.node_id || randomBytes(4).toString('hex').slice(0, 6),
    server: {
      host: v.host,
      port: v.port,
      paths: v.path,
      healthPath: v.health_path,
      allowedOrigins: v.allowed_origins.map((origin) => origin.toLowerCase()),
      maxConn: v.max_conn,
      maxMessageSize: v.max_message_size,
      maxPendingSize: v.ws_max_pending_size,
    },
    ping: { intervalSec: v.ping_interval, precision: v.ping_timestamp_precision },
    auth: { jwt: resolveJwt(v, explicit), noauth: v.noauth || v.public },
    streams: resolveStreams(v),
    rpc: {
      enabled: !v.norpc,
      host: v.rpc_host,
      concurrency: v.rpc_concurrency,
      commandTimeoutMs: v.rpc_command_timeout,
      requestTimeoutMs: v.rpc_request_timeout,
      headers: v.headers.map((name) => name.toLowerCase()),
    },
    disconnect: {
      mode: v.disable_disconnect ? 'never' : v.disconnect_mode,
      ratePerSec: v.disconnect_rate,
      backlog: v.disconnect_backlog_size,
    },
    broadcast,
    broker: resolveBroker(v, broadcast),
    metrics: {
      path: v.metrics_http === '' ? null : v.metrics_http,
      host: v.metrics_host || v.host,
      port: v.metrics_port || v.port,
      prefix: v.metrics_prefix,
    },
    log: { level: v.debug ? 'debug' : v.log_level, format: v.log_format },
    shutdown: {
      timeoutSec:
        explicit.has('shutdown_timeout') || !explicit.has('disconnect_timeout') ? v.shutdown_timeout : v.disconnect_timeout,
      delaySec: v.shutdown_delay,
    },
    deprecations: Object.keys(DEPRECATED_REPLACEMENTS)
      .filter((name) => explicit.has(name))
      .map((name) => `--${name} is deprecated: use ${DEPRECATED_REPLACEMENTS[name]}`),
  };
}

export type CommandLine =
  | { readonly action: 'run'; readonly config: GatewayConfig }
  | { readonly action: 'help'; readonly text: string }
  | { readonly action: 'version' };

const USAGE =
  'Usage: cableway [--flag=value ...]\n\nEvery flag can also be set as an ANYCABLE_<FLAG> environment variable; flags win.';

/** Reads the command line and environment; throws ConfigError on an unknown flag or a bad value. */
export function readCommandLine(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): CommandLine {
  const parsed = parseOptions(gatewayOptions, argv, env, ['help', 'h', 'version', 'v']);
  if (parsed.actions.has('help') || parsed.actions.has('h')) {
    return { action: 'help', text: formatHelp(gatewayOptions, USAGE) };
  }
  if (parsed.actions.has('version') || parsed.actions.has('v')) return { action: 'version' };
  return { action: 'run', config: resolveConfig(parsed.values, parsed.explicit) };
}
