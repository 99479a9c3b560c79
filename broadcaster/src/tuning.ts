/** The liveness probe of a subscribing Redis connection. */
export interface ProbeTiming {
  /** How often a probe is published on an idle or busy link alike. */
  readonly intervalMs: number;
  /** How long its echo may take before the link counts as broken. */
  readonly timeoutMs: number;
}

/** Timings of the bus that are fixed in production and shortened by tests. */
export interface BusTuning {
  /** The liveness probe of every subscribing Redis connection. */
  readonly probe: ProbeTiming;
  /** How long `subscribe()` and `start()` wait for Redis to acknowledge while it does not answer. */
  readonly ackBoundMs: number;
  /** redisx: how often entries left pending by other consumers are claimed, and how idle they must be. */
  readonly claimIntervalMs: number;
  readonly claimMinIdleMs: number;
  /** redisx: how long the reader lease lasts unless extended, and how often its holder extends it. */
  readonly leaseTtlMs: number;
  readonly leaseRenewMs: number;
  /** How often the NATS client pings its server; two pings unanswered count the connection as broken. */
  readonly natsPingIntervalMs: number;
}

export const DEFAULT_TUNING: BusTuning = {
  probe: { intervalMs: 5_000, timeoutMs: 2_000 },
  ackBoundMs: 1_500,
  claimIntervalMs: 2_000,
  claimMinIdleMs: 2_000,
  leaseTtlMs: 3_000,
  leaseRenewMs: 1_000,
  natsPingIntervalMs: 5_000,
};
