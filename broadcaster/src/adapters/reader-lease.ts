import type { RedisConnection } from '../../../shared/src/redis/connect';

/** Takes the lease when it is free, or extends it when this holder has it; answers 1 when held afterwards. */
const HOLD_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
return 0`;

const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/**
 * A lease in Redis that one holder at a time owns, until it stops extending it for `ttlMs`. Publications of
 * one stream keep their order only if one node reads them, so the redisx reader is the lease holder.
 */
export class ReaderLease {
  constructor(
    private readonly redis: RedisConnection,
    private readonly key: string,
    private readonly holder: string,
    private readonly ttlMs: number,
  ) {}

  /** Takes or extends the lease; true when this holder owns it now. */
  async hold(): Promise<boolean> {
    return (await this.redis.call('EVAL', HOLD_SCRIPT, 1, this.key, this.holder, this.ttlMs)) === 1;
  }

  async release(): Promise<void> {
    await this.redis.call('EVAL', RELEASE_SCRIPT, 1, this.key, this.holder);
  }
}
