const BASE_MS = 50;
const CAP_MS = 5_000;
const JITTER_MS = 200;

/**
 * Delay before reconnect attempt `attempt` (1, 2, …): doubling from 50 ms, capped at 5 s, plus up to
 * 200 ms of jitter so that nodes cut off together do not all come back in the same millisecond.
 */
export function reconnectDelay(attempt: number, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 16);
  return Math.min(BASE_MS * 2 ** exponent, CAP_MS) + Math.floor(random() * JITTER_MS);
}
