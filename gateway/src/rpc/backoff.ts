import { status } from '@grpc/grpc-js';

/** The gRPC failures worth another attempt, with the delay before the first retry in milliseconds. */
const BASE_DELAY_MS: ReadonlyMap<number, number> = new Map([
  // The Rails app's worker pool is full for a moment.
  [status.RESOURCE_EXHAUSTED, 10],
  // The Rails app cannot be reached (restarting, or the connection is being re-established).
  [status.UNAVAILABLE, 100],
]);

/**
 * Delays between the attempts of one call: base × 2^attempt, where the attempt count starts again when
 * the kind of failure changes.
 */
export class Backoff {
  private lastCode: number | undefined;
  private attempt = 0;

  /** The delay before the next attempt after a failure with gRPC `code`, or `null` when it is final. */
  next(code: number | undefined): number | null {
    const base = code === undefined ? undefined : BASE_DELAY_MS.get(code);
    if (base === undefined) return null;
    if (code !== this.lastCode) {
      this.lastCode = code;
      this.attempt = 0;
    }
    const delay = base * 2 ** this.attempt;
    this.attempt += 1;
    return delay;
  }
}
