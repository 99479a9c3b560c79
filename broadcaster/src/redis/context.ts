import type { RedisConnection } from '../../../shared/src/redis/connect';
import type { Transport } from '../transport';
import type { RedisConnections } from './connections';

/** What every part of the bus that talks to Redis shares. */
export interface RedisContext extends Transport {
  readonly connections: RedisConnections;
  /** The one connection that publishes, adds and acknowledges for the whole bus. */
  readonly commands: RedisConnection;
  /** Counts probes whose echo did not come back. */
  readonly probeFailures: { inc(): void };
}
