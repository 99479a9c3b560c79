import { booleanWord, normalizeName } from '../../../shared/src/config/options';

/**
 * An anycable-go 1.6 option that Cableway does not implement. `refused`: the feature it switches on does not
 * exist here, so asking for it stops the node. `ignored`: a tuning knob with no counterpart here; the node
 * starts and says so in a WRN line. A value equal to `inert` asks for nothing and passes without a word, so
 * a file printed by anycable-go loads.
 */
export interface UnsupportedOption {
  /** The anycable-go flag (and so its `ANYCABLE_*` variable); none for keys that exist only in the file. */
  readonly flag?: string;
  /** Its key in anycable.toml, where it has one. */
  readonly toml?: string;
  readonly effect: 'refused' | 'ignored';
  /** A boolean flag: given alone, it means true. */
  readonly boolean?: true;
  /** The value that asks for nothing, anycable-go's default (if none: false for booleans, else the empty string). */
  readonly inert?: string | number;
  /** What to use instead, or why nothing is needed. */
  readonly instead: string;
}

const PROMETHEUS = 'scrape the Prometheus endpoint (--metrics_http=/metrics)';
const NO_EMBEDDED_NATS = 'Cableway embeds no NATS server';
const WEBSOCKET_ONLY = 'Cableway serves the Action Cable protocol over WebSocket only (--path)';
const NO_PUSHER = 'Cableway speaks the Action Cable protocol only: use @rails/actioncable or @anycable/web clients';
const BROADCAST_ENDPOINT = 'publish with POST /_broadcast (--http_broadcast_port, Bearer --broadcast_key)';
const UWS_BUFFERS = 'uWebSockets.js sizes its buffers itself';

/** Every anycable-go 1.6 flag, and file-only key, that Cableway answers as not supported. */
export const UNSUPPORTED_OPTIONS: readonly UnsupportedOption[] = [
  // Server, broadcasting
  {
    flag: 'shutdown_pool_size',
    toml: 'app.shutdown_disconnect_gopool_size',
    inert: 16,
    effect: 'ignored',
    instead: 'Disconnect calls on shutdown skip the rate limit and are bounded by --shutdown_timeout',
  },
  {
    flag: 'hub_gopool_size',
    toml: 'app.broadcast_gopool_size',
    inert: 16,
    effect: 'ignored',
    instead: 'broadcasts are fanned out by uWebSockets.js in native code, with no pool to size',
  },
  // Redis
  {
    flag: 'redis_sentinel_discovery_interval',
    toml: 'redis.sentinel_discovery_interval',
    inert: 30,
    effect: 'ignored',
    instead: 'the sentinels are asked for the master on every reconnect',
  },
  {
    flag: 'redis_disable_cache',
    toml: 'redis.disable_cache',
    boolean: true,
    effect: 'ignored',
    instead: 'Cableway never uses client-side caching (CLIENT TRACKING)',
  },
  {
    toml: 'redis.max_reconnect_attempts',
    inert: 5,
    effect: 'ignored',
    instead: 'Cableway reconnects to Redis for ever with capped backoff and keeps serving meanwhile',
  },
  // HTTP broadcasts
  {
    flag: 'http_broadcast_cors',
    toml: 'http_broadcast.cors_headers',
    boolean: true,
    effect: 'refused',
    instead: 'add CORS headers in a reverse proxy in front of the broadcast endpoint',
  },
  { toml: 'http_broadcast.cors_hosts', effect: 'ignored', instead: 'see http_broadcast.cors_headers' },
  // NATS
  {
    toml: 'nats.max_reconnect_attempts',
    inert: 5,
    effect: 'ignored',
    instead: 'Cableway reconnects to NATS for ever and keeps serving meanwhile',
  },
  {
    toml: 'nats_pubsub.channel',
    inert: '__anycable_internal__',
    effect: 'ignored',
    instead: 'remote commands travel on --pubsub_internal_channel (redis_pubsub.channel) over Redis and NATS alike',
  },
  {
    flag: 'embed_nats',
    toml: 'embedded_nats.enabled',
    boolean: true,
    effect: 'refused',
    instead: 'run nats-server and point --nats_servers at it, or use Redis (--redis_url)',
  },
  ...(
    [
      ['enats_addr', 'service_addr'],
      ['enats_cluster', 'cluster_addr'],
      ['enats_cluster_name', 'cluster_name'],
      ['enats_cluster_routes', 'routes'],
      ['enats_gateway', 'gateway_addr'],
      ['enats_gateways', 'gateways'],
      ['enats_gateway_advertise', 'gateway_advertise'],
      ['enats_store_dir', 'jetstream_store_dir'],
      ['enats_server_name', 'name'],
      ['enats_debug', 'debug'],
      ['enats_trace', 'trace'],
      ['enats_max_payload', 'max_payload'],
      [undefined, 'jetstream'],
      [undefined, 'jetstream_ready_timeout'],
    ] as const
  ).map(([flag, key]): UnsupportedOption => ({
    ...(flag ? { flag } : {}),
    toml: `embedded_nats.${key}`,
    ...(flag === 'enats_debug' || flag === 'enats_trace' || key === 'jetstream' ? { boolean: true as const } : {}),
    effect: 'ignored',
    instead: NO_EMBEDDED_NATS,
  })),
  // Metrics
  { flag: 'metrics_log', toml: 'metrics.log', boolean: true, effect: 'refused', instead: PROMETHEUS },
  { flag: 'metrics_log_formatter', effect: 'refused', instead: PROMETHEUS },
  {
    flag: 'metrics_rotate_interval',
    toml: 'metrics.rotate_interval',
    inert: 15,
    effect: 'ignored',
    instead: 'Prometheus reads the metrics when it scrapes',
  },
  { flag: 'metrics_log_interval', effect: 'ignored', instead: 'Prometheus reads the metrics when it scrapes' },
  { flag: 'metrics_log_filter', toml: 'metrics.log_filter', effect: 'ignored', instead: PROMETHEUS },
  {
    flag: 'stats_refresh_interval',
    toml: 'app.stats_refresh_interval',
    inert: 5,
    effect: 'ignored',
    instead: 'gauges are read when Prometheus scrapes',
  },
  { flag: 'statsd_host', toml: 'metrics.statsd.host', effect: 'refused', instead: PROMETHEUS },
  { flag: 'statsd_prefix', toml: 'metrics.statsd.prefix', inert: 'anycable_go.', effect: 'ignored', instead: PROMETHEUS },
  { flag: 'statsd_max_packet_size', toml: 'metrics.statsd.max_packet_size', inert: 1400, effect: 'ignored', instead: PROMETHEUS },
  { flag: 'statsd_tags_format', toml: 'metrics.statsd.tags_format', inert: 'datadog', effect: 'ignored', instead: PROMETHEUS },
  // WebSocket
  { flag: 'read_buffer_size', toml: 'ws.read_buffer_size', inert: 1024, effect: 'ignored', instead: UWS_BUFFERS },
  { flag: 'write_buffer_size', toml: 'ws.write_buffer_size', inert: 1024, effect: 'ignored', instead: UWS_BUFFERS },
  {
    flag: 'ws_write_timeout',
    toml: 'ws.write_timeout',
    inert: 2,
    effect: 'ignored',
    instead:
      'writes happen in native code without a deadline; a client that does not take its frames is disconnected ' +
      'as too_slow past --ws_max_pending_size bytes',
  },
  {
    flag: 'enable_ws_compression',
    toml: 'ws.enable_compression',
    boolean: true,
    effect: 'ignored',
    instead: 'Cableway offers no permessage-deflate: clients connect uncompressed',
  },
  // Signed streams
  {
    toml: 'streams.pubsub_channel',
    effect: 'refused',
    inert: '$pubsub',
    instead: 'signed and public streams are served on the $pubsub channel',
  },
  // Other transports and APIs
  { flag: 'sse', toml: 'sse.enabled', boolean: true, effect: 'refused', instead: WEBSOCKET_ONLY },
  { flag: 'sse_path', toml: 'sse.path', inert: '/events', effect: 'ignored', instead: WEBSOCKET_ONLY },
  { flag: 'ds', toml: 'ds.enabled', boolean: true, effect: 'refused', instead: WEBSOCKET_ONLY },
  { flag: 'ds_path', toml: 'ds.path', inert: '/ds', effect: 'ignored', instead: WEBSOCKET_ONLY },
  { flag: 'ds_skip_auth', toml: 'ds.skip_auth', boolean: true, effect: 'ignored', instead: WEBSOCKET_ONLY },
  { flag: 'ds_poll_interval', toml: 'ds.poll_interval', inert: 10, effect: 'ignored', instead: WEBSOCKET_ONLY },
  { flag: 'ds_sse_ttl', toml: 'ds.sse_ttl', inert: 60, effect: 'ignored', instead: WEBSOCKET_ONLY },
  { flag: 'pusher_app_id', toml: 'pusher.app_id', effect: 'refused', instead: NO_PUSHER },
  { flag: 'pusher_app_key', toml: 'pusher.app_key', effect: 'refused', instead: NO_PUSHER },
  { flag: 'pusher_secret', toml: 'pusher.secret', effect: 'refused', instead: NO_PUSHER },
  { flag: 'pusher_api_port', toml: 'pusher.api_port', effect: 'refused', inert: 0, instead: NO_PUSHER },
  { flag: 'api_port', toml: 'api.port', effect: 'refused', inert: 0, instead: BROADCAST_ENDPOINT },
  { flag: 'api_secret', toml: 'api.secret', effect: 'refused', instead: BROADCAST_ENDPOINT },
  { flag: 'api_path', toml: 'api.path', inert: '/api', effect: 'ignored', instead: BROADCAST_ENDPOINT },
  { toml: 'api.host', effect: 'ignored', instead: BROADCAST_ENDPOINT },
  { toml: 'api.cors_headers', effect: 'ignored', instead: BROADCAST_ENDPOINT },
  { toml: 'api.cors_hosts', effect: 'ignored', instead: BROADCAST_ENDPOINT },
];

/** One place a not-supported option was given: `--flag`, `ANYCABLE_FLAG` or `anycable.toml: key`. */
export interface UnsupportedUse {
  readonly option: UnsupportedOption;
  readonly source: string;
  /** As given: a string from the command line or environment, a TOML value from the file. */
  readonly value: unknown;
}

/** The anycable-go variable of a flag: dashes become underscores, as anycable-go derives it. */
export function unsupportedEnvName(flag: string): string {
  return `ANYCABLE_${flag.replace(/-/g, '_').toUpperCase()}`;
}

/** Keyed by the flag's normalized name (dashes as underscores), as the command line is parsed. */
export const UNSUPPORTED_BY_FLAG: ReadonlyMap<string, UnsupportedOption> = new Map(
  UNSUPPORTED_OPTIONS.filter((option) => option.flag).map((option) => [normalizeName(option.flag!), option]),
);

export const UNSUPPORTED_BY_TOML_KEY: ReadonlyMap<string, UnsupportedOption> = new Map(
  UNSUPPORTED_OPTIONS.filter((option) => option.toml).map((option) => [option.toml!, option]),
);

/** Every not-supported flag set in the environment. */
export function unsupportedInEnv(env: Readonly<Record<string, string | undefined>>): UnsupportedUse[] {
  return UNSUPPORTED_OPTIONS.filter((option) => option.flag && env[unsupportedEnvName(option.flag)] !== undefined).map(
    (option) => {
      const source = unsupportedEnvName(option.flag!);
      return { option, source, value: env[source] };
    },
  );
}

/** True when the value asks for nothing the option would switch on. */
export function isInert(option: UnsupportedOption, value: unknown): boolean {
  if (option.boolean) {
    return value === false || (typeof value === 'string' && booleanWord(value) === false);
  }
  return String(value) === String(option.inert ?? '');
}

export function unsupportedMessage(use: UnsupportedUse): string {
  const ignored = use.option.effect === 'ignored' ? ' (ignored)' : '';
  return `${use.source} is not supported by Cableway${ignored}: ${use.option.instead}`;
}
