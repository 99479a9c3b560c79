import { setTimeout as sleep } from 'node:timers/promises';

/**
 * The part of what is left of shutdown_timeout that a slow drain spreads its disconnects over; the rest
 * is for the Disconnect calls and the broadcast bus to finish.
 */
const DRAIN_SHARE = 5 / 6;

export interface SlowDrainPlan {
  readonly windowMs: number;
  /** Time between two disconnects. */
  readonly intervalMs: number;
}

/**
 * Spreads `count` disconnects evenly over most of `remainingMs`, as anycable-go's slow drain does, but
 * never more than `maxIntervalMs` apart, so that a node with few clients does not wait long for nothing.
 */
export function planSlowDrain(count: number, remainingMs: number, maxIntervalMs: number): SlowDrainPlan {
  const windowMs = Math.max(0, remainingMs * DRAIN_SHARE);
  const intervalMs = count > 0 ? Math.min(windowMs / count, maxIntervalMs) : 0;
  return { windowMs: intervalMs * count, intervalMs };
}

/**
 * Hands each item to `disconnect` at its own moment of the plan. Moments are kept from the start, not from
 * the previous step, so that a busy event loop does not stretch the drain past its window.
 */
export async function drainSlowly<T>(items: readonly T[], plan: SlowDrainPlan, disconnect: (item: T) => void): Promise<void> {
  const start = Date.now();
  for (const [index, item] of items.entries()) {
    const moment = start + index * plan.intervalMs;
    // A timer may fire a millisecond before the wall clock says it is due: wait again then.
    for (let wait = moment - Date.now(); wait > 0; wait = moment - Date.now()) await sleep(wait);
    disconnect(item);
  }
}
