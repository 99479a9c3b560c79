import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { formatHelp, parseOptions } from '../../../shared/src/config/options';
import { ConfigError, ErrorCode } from '../../../shared/src/errors';
import type { LogFormat, LogLevel } from '../../../shared/src/logger';
import { resolveBroadcastConfig, type BroadcastConfig } from '../../../broadcaster/src/options';
import { localFiles, locateConfigFile, readConfigFile, type ConfigFiles } from './config-file';
import { UNSUPPORTED_BY_FLAG, isInert, unsupportedInEnv, unsupportedMessage, type UnsupportedUse } from './not-supported';
import { gatewayOptions, type GatewayOptionValues } from './options';
import { applyPresets, presetsToLoad, type PresetName } from './presets';
import { formatConfigToml } from './print-config';
import { resolveRpcTransport, rpcRequestTimeoutMs, type RpcTransportConfig } from './rpc-transport';
import { resolveServerTls, type ServerTlsConfig } from './server-tls';
import { resolvePublicMode, type PublicMode } from './public-mode';
import { RAILS_SIDE_VARIABLES, envNamesOf, unknownEnvVariables } from './unknown-env';

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
    /** `null`: plain ws:// and http:// */
    readonly tls: ServerTlsConfig | null;
    /** Event loops (worker threads) serving WebSockets; 1: the main thread serves them itself. */
    readonly workers: number;
  };
  readonly ping: { readonly intervalSec: number; readonly precision: PingPrecision };
  /** A client silent for timeoutSec after a ping is disconnected with no_pong (0: never). */
  readonly pong: { readonly timeoutSec: number; readonly nativePings: boolean };
  readonly auth: { readonly jwt: JwtConfig | null; readonly noauth: boolean };
  readonly streams: StreamsConfig;
  readonly rpc: {
    readonly enabled: boolean;
    readonly host: string;
    readonly concurrency: number;
    readonly commandTimeoutMs: number;
    readonly requestTimeoutMs: number;
    readonly headers: readonly string[];
    readonly transport: RpcTransportConfig;
  };
  /** Cookies kept in the Cookie header passed to RPC; empty: all. */
  readonly proxyCookies: readonly string[];
  readonly disconnect: { readonly mode: DisconnectMode; readonly ratePerSec: number; readonly backlog: number };
  readonly broadcast: BroadcastConfig;
  readonly broker: BrokerConfig;
  readonly metrics: {
    readonly path: string | null;
    readonly host: string;
    readonly port: number;
    readonly prefix: string;
    /** Constant labels on every metric. */
    readonly tags: Readonly<Record<string, string>>;
  };
  readonly log: { readonly level: LogLevel; readonly format: LogFormat };
  readonly shutdown: {
    readonly timeoutSec: number;
    readonly delaySec: number;
    /** `null`: every client is disconnected at once; else the most milliseconds between two disconnects. */
    readonly slowDrainMaxIntervalMs: number | null;
  };
  /** `null` unless --public: what it opened, for the startup warning. */
  readonly publicMode: PublicMode | null;
  /** Old option names that were used, for one warning each at start. */
  readonly deprecations: readonly string[];
  /** The configuration file read, if any, and the presets loaded. */
  readonly sources: ConfigSources;
  /** `ANYCABLE_*` variables no option reads, named in one warning at start. */
  readonly unknownEnv: readonly string[];
}

export interface ConfigSources {
  readonly file: string | null;
  readonly presets: readonly PresetName[];
  /** Unknown file keys and ignored anycable-go options, for one WRN line each at start. */
  readonly warnings: readonly string[];
}

const NO_SOURCES: ConfigSources = { file: null, presets: [], warnings: [] };

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
  turbo_rails_cleartext: 'public_streams (this flag has no effect)',
  cable_ready_cleartext: 'public_streams (this flag has no effect)',
};

/** Prometheus label names: metrics_tags keys become labels of every metric. */
function metricTags(tags: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
  const bad = Object.keys(tags).find((name) => !/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name) || name.startsWith('__'));
  if (bad !== undefined) {
    throw new ConfigError(ErrorCode.ConfigBadValue, `--metrics_tags: ${JSON.stringify(bad)} is not a Prometheus label name`);
  }
  return tags;
}

function resolveJwt(v: GatewayOptionValues, explicit: ReadonlySet<string>): JwtConfig | null {
  const secret = firstNonEmpty(secretValue(v.jwt_secret), secretValue(v.jwt_id_key), secretValue(v.secret));
  if (secret === '') return null;
  // Unlike anycable-go 1.5+, the old --jwt_id_param still works when --jwt_param is not given.
  const param = explicit.has('jwt_param') || v.jwt_id_param === '' ? v.jwt_param : v.jwt_id_param;
  return { secret, param, enforce: v.enforce_jwt || v.jwt_id_enforce };
}

function resolveStreams(v: GatewayOptionValues, publicMode: PublicMode | null): StreamsConfig {
  const streamsSecret = firstNonEmpty(secretValue(v.streams_secret), secretValue(v.secret));
  const turboSecret = firstNonEmpty(secretValue(v.turbo_streams_secret), secretValue(v.turbo_rails_key), streamsSecret);
  const cableReadySecret = firstNonEmpty(secretValue(v.cable_ready_secret), secretValue(v.cable_ready_key), streamsSecret);
  const turboOn = v.turbo_streams || v.turbo_rails_key !== '';
  const cableReadyOn = v.cable_ready || v.cable_ready_streams || v.cable_ready_key !== '';
  return {
    pubsubSecret: streamsSecret,
    publicStreams: v.public_streams || (publicMode?.publicStreams ?? false),
    whisper: v.streams_whisper,
    presence: v.streams_presence,
    turboSecret: turboOn && turboSecret !== '' ? turboSecret : null,
    cableReadySecret: cableReadyOn && cableReadySecret !== '' ? cableReadySecret : null,
  };
}

/** `auto`: one event loop per core the process may use. */
function resolveWorkers(value: string, broker: string): number {
  if (value !== 'auto' && !/^[1-9]\d*$/.test(value)) {
    throw new ConfigError(ErrorCode.ConfigBadValue, `--workers=${value}: expected a number of event loops (1 or more) or auto`);
  }
  const workers = value === 'auto' ? availableParallelism() : Number(value);
  // Each event loop would keep a history and sessions of its own: a client reconnecting to another could not resume.
  if (workers > 1 && broker === 'memory') {
    throw new ConfigError(
      ErrorCode.ConfigBadValue,
      '--broker=memory keeps history and sessions in one event loop: with --workers, use --broker=redis',
    );
  }
  return workers;
}

function resolveBroker(v: GatewayOptionValues, broadcast: BroadcastConfig): BrokerConfig {
  if (v.broker === 'nats') {
    throw new ConfigError(ErrorCode.ConfigBadValue, '--broker=nats is not supported by Cableway: use --broker=redis (or memory)');
  }
  const kind: BrokerKind = v.broker === '' || v.broker === 'none' ? 'none' : v.broker;
  if (kind === 'redis' && !broadcast.redis) {
    throw new ConfigError(ErrorCode.ConfigBadValue, '--broker=redis needs Redis: set --redis_url');
  }
  // A memory history per node would give the nodes of a NATS cluster offsets of their own.
  if (kind === 'memory' && broadcast.pubsub === 'nats') {
    throw new ConfigError(
      ErrorCode.ConfigBadValue,
      '--broker with --pubsub=nats needs Redis for the history the nodes share: set --redis_url and --broker=redis',
    );
  }
  return {
    kind,
    historyLimit: v.history_limit,
    historyTtlSec: v.history_ttl,
    sessionsTtlSec: v.sessions_ttl,
    presenceTtlSec: v.presence_ttl,
  };
}

export function resolveConfig(
  v: GatewayOptionValues,
  explicit: ReadonlySet<string>,
  sources: ConfigSources = NO_SOURCES,
  unknownEnv: readonly string[] = [],
): GatewayConfig {
  const secret = secretValue(v.secret);
  const publicMode = resolvePublicMode(v);
  const broadcast = resolveBroadcastConfig(v, {
    secret,
    public: publicMode?.keylessBroadcasts ?? false,
    mainPort: v.port,
    maxPendingSize: v.ws_max_pending_size,
  });
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
      tls: resolveServerTls(v),
      workers: resolveWorkers(v.workers, v.broker),
    },
    ping: { intervalSec: v.ping_interval, precision: v.ping_timestamp_precision },
    pong: { timeoutSec: v.pong_timeout, nativePings: v.enable_native_pings },
    auth: { jwt: resolveJwt(v, explicit), noauth: v.noauth || (publicMode?.noauth ?? false) },
    streams: resolveStreams(v, publicMode),
    rpc: {
      enabled: !v.norpc,
      host: v.rpc_host,
      concurrency: v.rpc_concurrency,
      commandTimeoutMs: v.rpc_command_timeout,
      requestTimeoutMs: rpcRequestTimeoutMs(v),
      headers: v.headers.map((name) => name.toLowerCase()),
      transport: resolveRpcTransport(v, secret),
    },
    proxyCookies: v.proxy_cookies,
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
      tags: metricTags(v.metrics_tags),
    },
    log: { level: v.debug ? 'debug' : v.log_level, format: v.log_format },
    shutdown: {
      timeoutSec:
        explicit.has('shutdown_timeout') || !explicit.has('disconnect_timeout') ? v.shutdown_timeout : v.disconnect_timeout,
      delaySec: v.shutdown_delay,
      slowDrainMaxIntervalMs: v.shutdown_slowdrain ? v.shutdown_slowdrain_max_interval : null,
    },
    publicMode,
    deprecations: Object.keys(DEPRECATED_REPLACEMENTS)
      .filter((name) => explicit.has(name))
      .map((name) => `--${name} is deprecated: use ${DEPRECATED_REPLACEMENTS[name]}`),
    sources,
    unknownEnv,
  };
}

export type CommandLine =
  | { readonly action: 'run'; readonly config: GatewayConfig }
  | { readonly action: 'help'; readonly text: string }
  | { readonly action: 'print-config'; readonly text: string }
  | { readonly action: 'version' };

const USAGE =
  'Usage: cableway [--flag=value ...]\n\n' +
  'Every flag can also be set as an ANYCABLE_<FLAG> environment variable, and most in anycable.toml;\n' +
  'flags win over the environment, which wins over the file, which wins over presets.\n' +
  '--print-config prints the merged configuration (secrets masked) in the layout of anycable.toml.';

const ACTIONS = ['help', 'h', 'version', 'v', 'print_config'];

const UNSUPPORTED_FLAGS = new Map([...UNSUPPORTED_BY_FLAG].map(([flag, option]) => [flag, { takesValue: !option.boolean }]));

/**
 * Reads the command line, the environment and the configuration file, then loads the presets; throws
 * ConfigError on an unknown flag, a bad value or a not-supported feature asked for.
 */
export function readCommandLine(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  files: ConfigFiles = localFiles,
): CommandLine {
  const withoutFile = parseOptions(gatewayOptions, argv, env, ACTIONS, { unsupported: UNSUPPORTED_FLAGS });
  if (withoutFile.actions.has('help') || withoutFile.actions.has('h')) {
    return { action: 'help', text: formatHelp(gatewayOptions, USAGE) };
  }
  if (withoutFile.actions.has('version') || withoutFile.actions.has('v')) return { action: 'version' };

  const located = locateConfigFile(withoutFile.values.config_path, withoutFile.values.ignore_config_path, files);
  const file = located ? readConfigFile(located.path, located.text, gatewayOptions) : null;
  const parsed = file ? parseOptions(gatewayOptions, argv, env, ACTIONS, { unsupported: UNSUPPORTED_FLAGS, file }) : withoutFile;

  const unsupported: UnsupportedUse[] = [
    ...parsed.unsupported.map((use) => ({ option: UNSUPPORTED_BY_FLAG.get(use.name)!, source: use.source, value: use.raw })),
    ...unsupportedInEnv(env),
    ...(file?.unsupported ?? []),
  ].filter((use) => !isInert(use.option, use.value));
  const refused = unsupported.find((use) => use.option.effect === 'refused');
  if (refused) throw new ConfigError(ErrorCode.ConfigUnsupportedOption, unsupportedMessage(refused));

  const presets = presetsToLoad(parsed.values.presets, parsed.explicit.has('presets'), env);
  const values = applyPresets(presets, parsed.values, parsed.explicit, env);
  if (parsed.actions.has('print_config')) {
    return { action: 'print-config', text: formatConfigToml(gatewayOptions, values) };
  }
  const warnings = [
    ...(file?.unknownKeys ?? []).map((key) => `${file!.source}: unknown key ${key}`),
    ...unsupported.map(unsupportedMessage),
  ];
  const sources = { file: located?.path ?? null, presets, warnings };
  // Variables answered as not supported are named there, not again as unknown; the Rails side's are no typo.
  const known = new Set([
    ...envNamesOf(gatewayOptions),
    ...unsupportedInEnv(env).map((use) => use.source),
    ...RAILS_SIDE_VARIABLES,
  ]);
  const unknownEnv = unknownEnvVariables(env, known);
  return { action: 'run', config: resolveConfig(values, parsed.explicit, sources, unknownEnv) };
}
