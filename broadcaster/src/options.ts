import { createHmac } from 'node:crypto';
import type { OptionValues } from '../../shared/src/config/options';
import { ConfigError, ErrorCode } from '../../shared/src/errors';
import { resolveRedisConfig, redisOptions, type RedisConfig } from '../../shared/src/redis/options';
import { natsOptions, resolveNatsConfig, type NatsConfig } from './nats/options';
import { isLiteralSubject } from './nats/subjects';

export const ADAPTER_NAMES = ['http', 'redis', 'redisx', 'actioncable', 'nats'] as const;
export type AdapterName = (typeof ADAPTER_NAMES)[number];
export const PUBSUB_NAMES = ['memory', 'redis', 'nats'] as const;
export type PubSubName = (typeof PUBSUB_NAMES)[number];

export const broadcastOptions = {
  broadcast_adapter: {
    toml: 'broadcast_adapters',
    type: 'list',
    default: [],
    choices: ADAPTER_NAMES,
    category: 'Broadcasting',
    help: 'Broadcast inputs, comma-separated (default: http; http,redis when Redis is configured)',
  },
  http_broadcast_port: {
    toml: 'http_broadcast.port',
    type: 'integer',
    default: 0,
    min: 0,
    max: 65535,
    category: 'Broadcasting',
    help: 'Port of POST /_broadcast (0: 8090, or the main port when a broadcast key is in effect)',
  },
  http_broadcast_path: {
    toml: 'http_broadcast.path',
    type: 'string',
    default: '/_broadcast',
    category: 'Broadcasting',
    help: 'Path of HTTP broadcasts',
  },
  broadcast_key: {
    toml: 'broadcast_key',
    type: 'string',
    default: '',
    secret: true,
    category: 'Broadcasting',
    help: 'Bearer key HTTP broadcasts must carry (default: derived from --secret; "none" disables the check)',
  },
  http_broadcast_secret: {
    toml: 'http_broadcast.secret',
    type: 'string',
    default: '',
    secret: true,
    deprecated: true,
    category: 'Broadcasting',
    help: 'Old name of --broadcast_key',
  },
  redis_channel: {
    toml: 'redis_pubsub_broadcast.channel',
    type: 'string',
    default: '__anycable__',
    category: 'Broadcasting',
    help: 'Redis pub/sub channel of the redis adapter',
  },
  redisx_stream: {
    toml: 'redis_stream_broadcast.stream',
    type: 'string',
    default: '__anycable__',
    category: 'Broadcasting',
    help: 'Redis Stream of the redisx adapter',
  },
  redisx_group: {
    toml: 'redis_stream_broadcast.group',
    type: 'string',
    default: 'bx',
    category: 'Broadcasting',
    help: 'Consumer group of the redisx adapter',
  },
  redisx_read_block_milliseconds: {
    toml: 'redis_stream_broadcast.stream_read_block_milliseconds',
    type: 'integer',
    default: 2000,
    min: 1,
    category: 'Broadcasting',
    help: 'How long one XREADGROUP of the redisx adapter blocks',
  },
  actioncable_channel_prefix: {
    toml: 'actioncable_broadcast.channel_prefix',
    type: 'string',
    default: '',
    category: 'Broadcasting',
    help: "channel_prefix of the Rails app's cable.yml, for the actioncable adapter",
  },
  pubsub: {
    toml: 'pubsub_adapter',
    type: 'enum',
    choices: ['', 'none', 'memory', 'redis', 'nats'],
    default: '',
    category: 'Broadcasting',
    help: 'Node-to-node pub/sub (default: redis when Redis is configured, else memory; none = memory; nats only when given)',
  },
  pubsub_channel_prefix: {
    toml: 'redis_pubsub.channel_prefix',
    type: 'string',
    default: '',
    category: 'Broadcasting',
    help: 'Prefix of the per-stream pub/sub channels (forced to "cableway:" when actioncable runs without a prefix)',
  },
  pubsub_internal_channel: {
    toml: 'redis_pubsub.channel',
    type: 'string',
    default: '__anycable_internal__',
    category: 'Broadcasting',
    help: 'Redis channel or NATS subject carrying remote commands between nodes',
  },
  nats_channel: {
    toml: 'nats_broadcast.channel',
    type: 'string',
    default: '__anycable__',
    category: 'Broadcasting',
    help: 'NATS subject of the nats adapter',
  },
  max_broadcast_size: {
    type: 'integer',
    default: 0,
    min: 0,
    category: 'Broadcasting',
    help: 'Largest data of one broadcast message in bytes; a larger one is refused (HTTP 413) and never delivered (0: --ws_max_pending_size)',
  },
  ...redisOptions,
  ...natsOptions,
} as const;

export type BroadcastOptionValues = OptionValues<typeof broadcastOptions>;

export interface HttpBroadcastConfig {
  readonly port: number;
  readonly path: string;
  /** `null`: no Authorization header is required. */
  readonly key: string | null;
}

export interface BroadcastConfig {
  readonly adapters: readonly AdapterName[];
  readonly pubsub: PubSubName;
  readonly http: HttpBroadcastConfig;
  readonly redisChannel: string;
  readonly redisx: { readonly stream: string; readonly group: string; readonly readBlockMs: number };
  readonly actioncablePrefix: string;
  /** Prepended to a stream name to form its node-to-node pub/sub channel. */
  readonly pubsubChannelPrefix: string;
  readonly internalChannel: string;
  /** Largest `data` of one message, in bytes; a subscriber could never take a larger frame (0: no limit). */
  readonly maxMessageBytes: number;
  readonly redis: RedisConfig | null;
  /** The subject every node hears with the nats adapter. */
  readonly natsChannel: string;
  /** `null` unless the nats adapter or the nats pub/sub is on. */
  readonly nats: NatsConfig | null;
}

/** The settings outside this room that broadcasting depends on. */
export interface BroadcastContext {
  readonly secret: string;
  /** --public without an explicitly configured key: HTTP broadcasts need none. */
  readonly public: boolean;
  readonly mainPort: number;
  /** ws_max_pending_size: the backlog a subscriber may have (0: no limit). */
  readonly maxPendingSize: number;
}

export const DEFAULT_HTTP_BROADCAST_PORT = 8090;
/** Channel prefix used for node-to-node pub/sub when Rails' own channels are bare stream names. */
export const COLLISION_FREE_PUBSUB_PREFIX = 'cableway:';

/** anycable's derived keys: lower-case hex HMAC-SHA256 of a fixed phrase under the application secret. */
export function deriveKey(secret: string, phrase: string): string {
  return createHmac('sha256', secret).update(phrase).digest('hex');
}

function resolveBroadcastKey(values: BroadcastOptionValues, context: BroadcastContext): string | null {
  if (context.public) return null;
  const explicit = values.broadcast_key || values.http_broadcast_secret;
  if (explicit === 'none') return null;
  if (explicit) return explicit;
  return context.secret ? deriveKey(context.secret, 'broadcast-cable') : null;
}

/** NATS must take `subject` literally: a space or a wildcard in it would change what is subscribed. */
function checkSubject(flag: string, value: string, subject: string): void {
  if (isLiteralSubject(subject)) return;
  throw new ConfigError(
    ErrorCode.ConfigBadValue,
    `--${flag}: ${JSON.stringify(value)} does not make a NATS subject (dot-separated words, no spaces, * or >)`,
  );
}

/** As anycable-go: the fan-out broadcast channel and the internal one must not be the same channel. */
function internalChannelOf(values: BroadcastOptionValues, pubsub: PubSubName): string {
  const broadcastChannel = pubsub === 'nats' ? values.nats_channel : values.redis_channel;
  const channel = values.pubsub_internal_channel;
  return channel === broadcastChannel ? `${channel}-int` : channel;
}

function resolvePubSub(values: BroadcastOptionValues, redis: RedisConfig | null): PubSubName {
  if (values.pubsub === 'redis' || values.pubsub === 'nats') return values.pubsub;
  return values.pubsub === '' && redis !== null ? 'redis' : 'memory';
}

export function resolveBroadcastConfig(values: BroadcastOptionValues, context: BroadcastContext): BroadcastConfig {
  const redisWanted =
    values.redis_url !== '' ||
    values.pubsub === 'redis' ||
    values.broadcast_adapter.some((adapter) => adapter !== 'http' && adapter !== 'nats');
  const redis = resolveRedisConfig(values, redisWanted);
  const adapters: readonly AdapterName[] =
    values.broadcast_adapter.length > 0
      ? [...new Set(values.broadcast_adapter as AdapterName[])]
      : redis
        ? ['http', 'redis']
        : ['http'];
  const pubsub = resolvePubSub(values, redis);
  const nats = pubsub === 'nats' || adapters.includes('nats') ? resolveNatsConfig(values) : null;
  const internalChannel = internalChannelOf(values, pubsub);
  if (adapters.includes('nats')) checkSubject('nats_channel', values.nats_channel, values.nats_channel);
  if (pubsub === 'nats') {
    checkSubject('pubsub_internal_channel', values.pubsub_internal_channel, internalChannel);
    checkSubject('pubsub_channel_prefix', values.pubsub_channel_prefix, `${values.pubsub_channel_prefix}stream`);
  }
  const key = resolveBroadcastKey(values, context);
  const port = values.http_broadcast_port || (key !== null ? context.mainPort : DEFAULT_HTTP_BROADCAST_PORT);
  const collides = adapters.includes('actioncable') && values.actioncable_channel_prefix === '' && pubsub === 'redis';
  return {
    adapters,
    pubsub,
    http: { port, path: values.http_broadcast_path, key },
    redisChannel: values.redis_channel,
    redisx: { stream: values.redisx_stream, group: values.redisx_group, readBlockMs: values.redisx_read_block_milliseconds },
    actioncablePrefix: values.actioncable_channel_prefix,
    pubsubChannelPrefix: values.pubsub_channel_prefix || (collides ? COLLISION_FREE_PUBSUB_PREFIX : ''),
    internalChannel,
    maxMessageBytes: values.max_broadcast_size || context.maxPendingSize,
    redis,
    natsChannel: values.nats_channel,
    nats,
  };
}
