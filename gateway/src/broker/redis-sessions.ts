import type { RedisConnection } from '../../../shared/src/redis/connect';
import type { SessionSnapshot } from '../core/session-snapshot';
import { redisKeys } from './redis-keys';
import type { SessionStore } from './sessions';

/** Sessions of the whole cluster in Redis, restorable on any node; calls fail at once while Redis is down. */
export class RedisSessionStore implements SessionStore {
  constructor(
    private readonly redis: RedisConnection,
    private readonly ttlSec: number,
  ) {}

  async save(sid: string, snapshot: SessionSnapshot): Promise<void> {
    this.requireReady();
    await this.redis.set(redisKeys.session(sid), JSON.stringify(snapshot), 'EX', this.ttlSec);
  }

  async load(sid: string): Promise<SessionSnapshot | null> {
    this.requireReady();
    const json = await this.redis.get(redisKeys.session(sid));
    return json === null ? null : (JSON.parse(json) as SessionSnapshot);
  }

  private requireReady(): void {
    if (this.redis.status !== 'ready') throw new Error('Redis is not connected');
  }
}
