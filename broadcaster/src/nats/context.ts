import type { Transport } from '../transport';
import type { NatsLink } from './link';

/** What every part of the bus that talks to NATS shares. */
export interface NatsContext extends Transport {
  readonly link: NatsLink;
}
