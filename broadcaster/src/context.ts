import { ConfigError, ErrorCode } from '../../shared/src/errors';
import type { Logger } from '../../shared/src/logger';
import type { BroadcastConfig } from './options';
import type { PublicationSink } from './sink';
import type { Transports } from './transports';
import type { BusTuning } from './tuning';

/** What every part of the bus (a broadcast input, the node-to-node pub/sub) is built from. */
export interface BusContext extends Transports {
  readonly config: BroadcastConfig;
  /** Takes what the part reads. */
  readonly sink: PublicationSink;
  readonly nodeId: string;
  readonly tuning: BusTuning;
  readonly logger: Logger;
}

/** The transport a part cannot work without (`part`: the flag that asked for it). */
export function requireTransport<T>(transport: T | null, part: string, how: string): T {
  if (transport) return transport;
  throw new ConfigError(ErrorCode.ConfigBadValue, `${part} needs ${how}`);
}
