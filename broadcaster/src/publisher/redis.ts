import { CablewayError, ErrorCode, errorMessage } from '../../../shared/src/errors';
import type { Logger } from '../../../shared/src/logger';
import { createRedisConnection, type RedisConnection } from '../../../shared/src/redis/connect';
import type { RedisConfig } from '../../../shared/src/redis/options';
import { settledWithin } from '../bounded';

const QUIT_BOUND_MS = 2_000;

/** A publisher's own Redis connection; a failed command rejects with a coded error. */
export interface PublisherRedis {
  run(command: (redis: RedisConnection) => Promise<unknown>): Promise<void>;
  close(): Promise<void>;
}

export function openPublisherRedis(config: RedisConfig, logger: Logger): PublisherRedis {
  const redis = createRedisConnection(config, 'commands', logger);
  return {
    async run(command) {
      try {
        await command(redis);
      } catch (error) {
        throw new CablewayError(ErrorCode.RedisFailed, `publishing to Redis failed: ${errorMessage(error)}`, { cause: error });
      }
    },
    async close() {
      await settledWithin(redis.quit(), QUIT_BOUND_MS);
      redis.disconnect();
    },
  };
}
