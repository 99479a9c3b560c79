import { ConfigError, ErrorCode } from '../../../shared/src/errors';
import type { OptionValues } from '../../../shared/src/config/options';
import type { PublicationMeta } from '../../../shared/src/publication';
import { redisOptions, resolveRedisConfig } from '../../../shared/src/redis/options';
import { natsOptions, resolveNatsConfig } from '../nats/options';
import { broadcastOptions, deriveKey, DEFAULT_HTTP_BROADCAST_PORT } from '../options';
import type { Publisher, PublisherOptions } from '../publisher/publisher';

export const broadcastCliOptions = {
  stream: { type: 'string', default: '', category: 'Publication', help: 'Stream to broadcast to' },
  data: { type: 'string', default: '', category: 'Publication', help: 'The message: JSON text, handed to clients as it is' },
  exclude_socket: {
    type: 'string',
    default: '',
    category: 'Publication',
    help: 'sid of a connection that must not receive the message',
  },
  disconnect: {
    type: 'string',
    default: '',
    category: 'Remote command',
    help: 'Instead of broadcasting, disconnect every connection with these identifiers',
  },
  reconnect: { type: 'boolean', default: false, category: 'Remote command', help: 'Let the disconnected clients reconnect' },
  transport: {
    type: 'enum',
    choices: ['', 'redis', 'redisx', 'http', 'actioncable', 'nats'],
    default: '',
    category: 'Transport',
    help: 'How to publish (default: redis when a Redis URL is set, else http)',
  },
  url: {
    type: 'string',
    default: '',
    category: 'Transport',
    help:
      `Broadcast endpoint of the http transport ` +
      `(default: http://localhost:${DEFAULT_HTTP_BROADCAST_PORT}/_broadcast, or port 8080 with a key)`,
  },
  broadcast_key: { ...broadcastOptions.broadcast_key, category: 'Transport', help: 'Bearer key of the http transport' },
  secret: {
    type: 'string',
    default: '',
    secret: true,
    category: 'Transport',
    help: 'Application secret: the broadcast key is derived from it when --broadcast_key is not set',
  },
  token: {
    type: 'string',
    default: '',
    category: 'Credentials',
    help: 'Instead of publishing, print a JWT identification token carrying these identifiers (JSON)',
  },
  jwt_secret: {
    type: 'string',
    default: '',
    secret: true,
    category: 'Credentials',
    help: 'Secret of --token (default: --secret)',
  },
  jwt_ttl: { type: 'integer', default: 3600, category: 'Credentials', help: 'Seconds a --token stays valid (0: never expires)' },
  sign_stream: {
    type: 'string',
    default: '',
    category: 'Credentials',
    help: 'Instead of publishing, print this stream name signed for Turbo, CableReady and $pubsub subscriptions',
  },
  streams_secret: {
    type: 'string',
    default: '',
    secret: true,
    category: 'Credentials',
    help: 'Secret of --sign_stream (default: --secret)',
  },
  redis_channel: broadcastOptions.redis_channel,
  redisx_stream: broadcastOptions.redisx_stream,
  actioncable_channel_prefix: broadcastOptions.actioncable_channel_prefix,
  nats_channel: broadcastOptions.nats_channel,
  ...redisOptions,
  ...natsOptions,
} as const;

export type BroadcastCliValues = OptionValues<typeof broadcastCliOptions>;

export const CLI_USAGE = [
  'Usage: cableway-broadcast --stream=NAME --data=JSON [--transport=redis|redisx|http|actioncable|nats] [options]',
  '       cableway-broadcast --disconnect=IDENTIFIERS [--reconnect] [options]',
  '       cableway-broadcast --token=IDENTIFIERS [--jwt_secret=KEY] [--jwt_ttl=SECONDS]',
  '       cableway-broadcast --sign_stream=NAME [--streams_secret=KEY]',
].join('\n');

/** What one invocation does: which publisher, and what it sends. */
export interface CliRequest {
  readonly publisher: PublisherOptions;
  /** For the closing line: what was sent, and where. */
  readonly description: string;
  send(publisher: Publisher): Promise<void>;
}

function badFlags(message: string): ConfigError {
  return new ConfigError(ErrorCode.ConfigBadValue, message);
}

function httpKey(values: BroadcastCliValues): string | null {
  if (values.broadcast_key === 'none') return null;
  if (values.broadcast_key) return values.broadcast_key;
  return values.secret ? deriveKey(values.secret, 'broadcast-cable') : null;
}

function publisherOptions(values: BroadcastCliValues): PublisherOptions {
  const transport = values.transport || (values.redis_url ? 'redis' : 'http');
  if (transport === 'http') {
    const key = httpKey(values);
    const url = values.url || `http://localhost:${key === null ? DEFAULT_HTTP_BROADCAST_PORT : 8080}/_broadcast`;
    return { transport, url, key };
  }
  if (transport === 'nats') return { transport, nats: resolveNatsConfig(values), channel: values.nats_channel };
  const redis = resolveRedisConfig(values, true)!;
  switch (transport) {
    case 'redis':
      return { transport, redis, channel: values.redis_channel };
    case 'redisx':
      return { transport, redis, stream: values.redisx_stream };
    case 'actioncable':
      return { transport, redis, prefix: values.actioncable_channel_prefix };
  }
}

function disconnectRequest(values: BroadcastCliValues, publisher: PublisherOptions): CliRequest {
  if (values.stream || values.data) throw badFlags('--disconnect sends a remote command: leave out --stream and --data');
  if (publisher.transport === 'actioncable') {
    throw badFlags("--transport=actioncable carries no remote commands (Rails' own adapter has none)");
  }
  return {
    publisher,
    description: `disconnect ${values.disconnect} via ${publisher.transport}`,
    send: (target) => target.disconnect(values.disconnect, values.reconnect),
  };
}

function broadcastRequest(values: BroadcastCliValues, publisher: PublisherOptions): CliRequest {
  if (!values.stream || !values.data) throw badFlags('--stream and --data are required (or --disconnect)');
  try {
    JSON.parse(values.data);
  } catch {
    throw badFlags('--data must be JSON text, e.g. --data=\'{"text":"hi"}\' or --data=\'"<turbo-stream>…"\'');
  }
  if (values.exclude_socket && publisher.transport === 'actioncable') {
    throw badFlags("--exclude_socket needs an anycable transport: Rails' own adapter has no meta");
  }
  const meta: PublicationMeta | undefined = values.exclude_socket ? { exclude_socket: values.exclude_socket } : undefined;
  return {
    publisher,
    description: `broadcast to ${values.stream} via ${publisher.transport}`,
    send: (target) => target.broadcast(values.stream, values.data, meta),
  };
}

/** Checks the flags together; throws a ConfigError naming the flag to fix. */
export function resolveCliRequest(values: BroadcastCliValues): CliRequest {
  const publisher = publisherOptions(values);
  return values.disconnect ? disconnectRequest(values, publisher) : broadcastRequest(values, publisher);
}
