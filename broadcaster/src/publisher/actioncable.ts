import { ConfigError, ErrorCode } from '../../../shared/src/errors';
import { actionCableChannel } from '../adapters/actioncable';
import type { Publisher } from './types';
import type { PublisherRedis } from './redis';

/** Publishes as a stock Rails app with `adapter: redis` in cable.yml: the bare message, no envelope. */
export function actionCablePublisher(redis: PublisherRedis, prefix: string): Publisher {
  return {
    broadcast: (stream, data) => redis.run((connection) => connection.publish(actionCableChannel(prefix, stream), data)),
    disconnect: () =>
      Promise.reject(
        new ConfigError(
          ErrorCode.ConfigBadValue,
          "the actioncable transport carries no remote commands (Rails' own adapter has none): use redis, redisx, http or nats",
        ),
      ),
    close: () => redis.close(),
  };
}
