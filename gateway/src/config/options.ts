import type { OptionValues } from '../../../shared/src/config/options';
import { LogFormats, LogLevels } from '../../../shared/src/logger';
import { broadcastOptions } from '../../../broadcaster/src/options';

/**
 * Every option of a Cableway node. Names, environment variables and defaults follow anycable-go, so an
 * existing deployment's flags and ANYCABLE_* variables keep working.
 */
export const gatewayOptions = {
  // Server
  host: { type: 'string', default: 'localhost', category: 'Server', help: 'Address to listen on' },
  port: { type: 'integer', default: 8080, min: 0, max: 65535, env: ['PORT'], category: 'Server', help: 'Port to listen on' },
  path: {
    type: 'list',
    default: ['/cable'],
    category: 'Server',
    help: 'WebSocket endpoint paths, comma-separated ({name} and * patterns allowed)',
  },
  health_path: { type: 'string', default: '/health', category: 'Server', help: 'Health check endpoint' },
  allowed_origins: {
    type: 'list',
    default: [],
    category: 'Server',
    help: 'Accepted Origin hosts (host[:port], *.suffix allowed); empty accepts every origin',
  },
  max_conn: {
    type: 'integer',
    default: 0,
    min: 0,
    category: 'Server',
    help: 'Most open connections (0: unlimited); above it upgrades get 503',
  },
  node_id: { type: 'string', default: '', category: 'Server', help: 'Name of this node in logs (default: random)' },
  // WebSocket
  ping_interval: { type: 'integer', default: 3, min: 1, max: 3600, category: 'WebSocket', help: 'Seconds between pings' },
  ping_timestamp_precision: {
    type: 'enum',
    choices: ['s', 'ms', 'ns'],
    default: 's',
    category: 'WebSocket',
    help: 'Precision of the ping timestamp',
  },
  max_message_size: {
    type: 'integer',
    default: 65536,
    min: 128,
    category: 'WebSocket',
    help: 'Largest client frame in bytes; larger ones close the connection with 1009',
  },
  ws_max_pending_size: {
    type: 'integer',
    default: 1048576,
    min: 0,
    category: 'WebSocket',
    help: 'Unsent bytes a client may lag behind before it is disconnected as too_slow (0: no limit)',
  },
  // Authentication
  secret: {
    type: 'string',
    default: '',
    secret: true,
    category: 'Authentication',
    help: 'Application secret: fallback for the JWT and streams secrets, base of the derived broadcast key',
  },
  noauth: { type: 'boolean', default: false, category: 'Authentication', help: 'Accept every connection without authentication' },
  public: {
    type: 'boolean',
    default: false,
    category: 'Authentication',
    help: 'Shortcut for --noauth --public_streams and no broadcast key',
  },
  jwt_secret: {
    type: 'string',
    default: '',
    secret: true,
    category: 'Authentication',
    help: 'HMAC secret of JWT identification tokens',
  },
  jwt_param: {
    type: 'string',
    default: 'jid',
    category: 'Authentication',
    help: 'Query parameter (and x-<param> header) carrying the token',
  },
  enforce_jwt: { type: 'boolean', default: false, category: 'Authentication', help: 'Reject connections without a token' },
  jwt_id_key: {
    type: 'string',
    default: '',
    secret: true,
    deprecated: true,
    category: 'Authentication',
    help: 'Old name of --jwt_secret',
  },
  jwt_id_param: { type: 'string', default: '', deprecated: true, category: 'Authentication', help: 'Old name of --jwt_param' },
  jwt_id_enforce: {
    type: 'boolean',
    default: false,
    deprecated: true,
    category: 'Authentication',
    help: 'Old name of --enforce_jwt',
  },
  // Signed streams
  streams_secret: {
    type: 'string',
    default: '',
    secret: true,
    category: 'Signed streams',
    help: 'Secret of signed $pubsub streams',
  },
  public_streams: { type: 'boolean', default: false, category: 'Signed streams', help: 'Allow unsigned $pubsub stream names' },
  streams_whisper: {
    type: 'boolean',
    default: false,
    category: 'Signed streams',
    help: 'Allow whispers on signed $pubsub streams',
  },
  turbo_streams: {
    type: 'boolean',
    default: false,
    category: 'Signed streams',
    help: 'Verify Turbo::StreamsChannel subscriptions locally',
  },
  turbo_streams_secret: {
    type: 'string',
    default: '',
    secret: true,
    category: 'Signed streams',
    help: 'signed_stream_verifier_key of turbo-rails (default: --streams_secret)',
  },
  cable_ready: {
    type: 'boolean',
    default: false,
    category: 'Signed streams',
    help: 'Verify CableReady::Stream subscriptions locally',
  },
  cable_ready_streams: { type: 'boolean', default: false, category: 'Signed streams', help: 'Same as --cable_ready' },
  cable_ready_secret: {
    type: 'string',
    default: '',
    secret: true,
    category: 'Signed streams',
    help: 'verifier_key of cable_ready (default: --streams_secret)',
  },
  turbo_rails_key: {
    type: 'string',
    default: '',
    secret: true,
    deprecated: true,
    category: 'Signed streams',
    help: 'Old form of --turbo_streams --turbo_streams_secret',
  },
  cable_ready_key: {
    type: 'string',
    default: '',
    secret: true,
    deprecated: true,
    category: 'Signed streams',
    help: 'Old form of --cable_ready --cable_ready_secret',
  },
  // Reliable streams and presence
  broker: {
    type: 'enum',
    choices: ['', 'none', 'memory', 'redis', 'nats'],
    default: '',
    category: 'Reliable streams',
    help: 'Stream history, resumable sessions and presence: memory (one node) or redis (a cluster); empty: none',
  },
  history_limit: {
    type: 'integer',
    default: 100,
    min: 1,
    category: 'Reliable streams',
    help: 'Messages kept in the history of each stream',
  },
  history_ttl: {
    type: 'integer',
    default: 300,
    min: 1,
    category: 'Reliable streams',
    help: 'Seconds a stream history is kept after its last message',
  },
  sessions_ttl: {
    type: 'integer',
    default: 300,
    min: 0,
    category: 'Reliable streams',
    help: 'Seconds a disconnected extended-protocol session stays restorable (0: sessions are not kept)',
  },
  presence_ttl: {
    type: 'integer',
    default: 15,
    min: 1,
    category: 'Reliable streams',
    help: 'Seconds before the presence of a dropped connection expires',
  },
  streams_presence: {
    type: 'boolean',
    default: true,
    category: 'Reliable streams',
    help: 'Presence on signed $pubsub streams (public ones always have it)',
  },
  // RPC
  rpc_host: {
    type: 'string',
    default: 'localhost:50051',
    category: 'RPC',
    help: 'AnyCable RPC server (host:port, grpc://, dns:///)',
  },
  norpc: { type: 'boolean', default: false, category: 'RPC', help: 'Run without an RPC server' },
  rpc_concurrency: { type: 'integer', default: 28, min: 1, category: 'RPC', help: 'Most RPC calls in flight at once' },
  rpc_command_timeout: {
    type: 'integer',
    default: 3000,
    min: 1,
    category: 'RPC',
    help: 'Milliseconds one RPC call may take, retries included',
  },
  rpc_request_timeout: {
    type: 'integer',
    default: 0,
    min: 0,
    category: 'RPC',
    help: 'Deadline in milliseconds of one RPC attempt (0: bounded by --rpc_command_timeout only)',
  },
  headers: {
    type: 'list',
    default: ['cookie'],
    category: 'RPC',
    help: 'Request headers passed to the RPC server, comma-separated',
  },
  disconnect_mode: {
    type: 'enum',
    choices: ['auto', 'always', 'never'],
    default: 'auto',
    category: 'RPC',
    help: 'When to call Disconnect: auto (only for sessions that used RPC), always, never',
  },
  disable_disconnect: {
    type: 'boolean',
    default: false,
    deprecated: true,
    category: 'RPC',
    help: 'Old form of --disconnect_mode=never',
  },
  disconnect_rate: { type: 'integer', default: 100, min: 1, category: 'RPC', help: 'Disconnect calls per second' },
  disconnect_backlog_size: {
    type: 'integer',
    default: 4096,
    min: 1,
    category: 'RPC',
    help: 'Disconnect calls that may wait; beyond it the oldest are made at once',
  },
  // Broadcasting, Redis
  ...broadcastOptions,
  // Metrics
  metrics_http: {
    type: 'string',
    default: '',
    category: 'Metrics',
    help: 'Path of the Prometheus endpoint, e.g. /metrics (empty: off)',
  },
  metrics_host: { type: 'string', default: '', category: 'Metrics', help: 'Address of the metrics endpoint (default: --host)' },
  metrics_port: {
    type: 'integer',
    default: 0,
    min: 0,
    max: 65535,
    category: 'Metrics',
    help: 'Port of the metrics endpoint (0: main port)',
  },
  metrics_prefix: {
    type: 'string',
    default: 'cableway_',
    category: 'Metrics',
    help: 'Prefix of every metric name (anycable_go_ fits AnyCable dashboards)',
  },
  // Logging
  log_level: { type: 'enum', choices: LogLevels, default: 'info', category: 'Logging', help: 'Log level' },
  log_format: { type: 'enum', choices: LogFormats, default: 'text', category: 'Logging', help: 'Log format' },
  debug: { type: 'boolean', default: false, category: 'Logging', help: 'Same as --log_level=debug' },
  // Shutdown
  shutdown_timeout: {
    type: 'integer',
    default: 30,
    min: 0,
    category: 'Shutdown',
    help: 'Seconds a graceful shutdown may take',
  },
  disconnect_timeout: {
    type: 'integer',
    default: 0,
    min: 0,
    deprecated: true,
    category: 'Shutdown',
    help: 'Old name of --shutdown_timeout',
  },
  shutdown_delay: {
    type: 'integer',
    default: 0,
    min: 0,
    category: 'Shutdown',
    help: 'Seconds to keep serving after a shutdown signal, so load balancers can deregister the node',
  },
} as const;

export type GatewayOptionValues = OptionValues<typeof gatewayOptions>;
