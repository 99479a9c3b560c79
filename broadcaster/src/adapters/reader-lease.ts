import type { RedisConnection } from '../../../shared/src/redis/connect';

/** The value of a lease whose holder is stopping and offers it to the next one: `handover:<holder>`. */
const OFFERED = 'handover:';

/**
 * Takes the lease when it is free or offered by another holder, or extends it when this holder has it.
 * Answers {1} when held afterwards, {2, <previous holder>} when it was taken from a holder handing it over,
 * {0} otherwise (its own offer included: a renewal racing the offer must not take it back).
 */
const HOLD_SCRIPT = `
local value = redis.call('GET', KEYS[1])
if value == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return {1}
end
if not value then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return {1}
end
if value == '${OFFERED}' .. ARGV[1] then return {0} end
if string.sub(value, 1, ${OFFERED.length}) == '${OFFERED}' then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return {2, string.sub(value, ${OFFERED.length + 1})}
end
return {0}`;

/** Marks the lease as offered by its holder, for as long as it would have lasted. */
const OFFER_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], '${OFFERED}' .. ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0`;

/** Gives the lease up, whether this holder still has it or still offers it. */
const RELEASE_SCRIPT = `
local value = redis.call('GET', KEYS[1])
if value == ARGV[1] or value == '${OFFERED}' .. ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

export interface HoldOutcome {
  readonly held: boolean;
  /** The holder that offered the lease this call took over; null when it was free, extended or not taken. */
  readonly offeredBy: string | null;
}

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

  /** Takes, extends or takes over the lease. */
  async hold(): Promise<HoldOutcome> {
    const [code, previous] = (await this.redis.call('EVAL', HOLD_SCRIPT, 1, this.key, this.holder, this.ttlMs)) as [
      number,
      string | undefined,
    ];
    return { held: code !== 0, offeredBy: code === 2 ? previous! : null };
  }

  /** Offers the lease to the next holder; true when this holder had it to offer. */
  async offer(): Promise<boolean> {
    return (await this.redis.call('EVAL', OFFER_SCRIPT, 1, this.key, this.holder, this.ttlMs)) === 1;
  }

  async release(): Promise<void> {
    await this.redis.call('EVAL', RELEASE_SCRIPT, 1, this.key, this.holder);
  }
}
