import type { HealthComponent } from './health';

/** A message server the bus talks to, shared by every adapter and the pub/sub that use it. */
export interface Transport {
  readonly health: HealthComponent;
  /** Closes what is left once every part using it has stopped. */
  close(): Promise<void>;
}
