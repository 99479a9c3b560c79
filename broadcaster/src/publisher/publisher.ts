import { createLogger, type Logger } from '../../../shared/src/logger';
import { encodeRemoteCommand, encodeStreamMessage } from '../../../shared/src/publication';
import type { RedisConfig } from '../../../shared/src/redis/options';
import type { NatsConfig } from '../nats/options';
import { actionCablePublisher } from './actioncable';
import { createHttpSender } from './http';
import { createNatsSender } from './nats';
import { openPublisherRedis } from './redis';
import type { PublicationSender, Publisher } from './types';

export type { PublicationSender, Publisher } from './types';

export type PublisherOptions =
  /** PUBLISH on the legacy broadcast channel (default `__anycable__`). */
  | { readonly transport: 'redis'; readonly redis: RedisConfig; readonly channel?: string; readonly logger?: Logger }
  /** XADD to the redisx stream (default `__anycable__`). */
  | { readonly transport: 'redisx'; readonly redis: RedisConfig; readonly stream?: string; readonly logger?: Logger }
  /** POST to the broadcast endpoint, with `Authorization: Bearer <key>` when a key is given. */
  | { readonly transport: 'http'; readonly url: string; readonly key?: string | null }
  /** PUBLISH of the bare message on `<prefix>:<stream>`, as Rails' own Action Cable Redis adapter does. */
  | { readonly transport: 'actioncable'; readonly redis: RedisConfig; readonly prefix?: string; readonly logger?: Logger }
  /** NATS PUBLISH on the nats adapter's subject (default `__anycable__`). */
  | { readonly transport: 'nats'; readonly nats: NatsConfig; readonly channel?: string };

const DEFAULT_CHANNEL = '__anycable__';

function anycableFormat(sender: PublicationSender): Publisher {
  return {
    broadcast: (stream, data, meta) => sender.send(encodeStreamMessage(meta ? { stream, data, meta } : { stream, data })),
    disconnect: (identifier, reconnect) =>
      sender.send(encodeRemoteCommand({ command: 'disconnect', payload: { identifier, reconnect } })),
    close: () => sender.close(),
  };
}

/** Warnings of the publisher's Redis connection go to stderr, away from a script's output. */
function stderrLogger(): Logger {
  return createLogger({ level: 'warn', format: 'text', sink: (line) => process.stderr.write(`${line}\n`) });
}

export function createPublisher(options: PublisherOptions): Publisher {
  if (options.transport === 'http') return anycableFormat(createHttpSender(options.url, options.key ?? null));
  if (options.transport === 'nats') return anycableFormat(createNatsSender(options.nats, options.channel ?? DEFAULT_CHANNEL));
  const redis = openPublisherRedis(options.redis, options.logger ?? stderrLogger());
  switch (options.transport) {
    case 'redis': {
      const channel = options.channel ?? DEFAULT_CHANNEL;
      return anycableFormat({ send: (raw) => redis.run((r) => r.publish(channel, raw)), close: () => redis.close() });
    }
    case 'redisx': {
      const stream = options.stream ?? DEFAULT_CHANNEL;
      return anycableFormat({
        send: (raw) => redis.run((r) => r.xadd(stream, '*', 'payload', raw)),
        close: () => redis.close(),
      });
    }
    case 'actioncable':
      return actionCablePublisher(redis, options.prefix ?? '');
  }
}
