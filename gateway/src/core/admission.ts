import type { ConnectResult, RequestEnv } from './controller';
import type { ProtocolName } from './protocol';

/** What a connection attempt came to, carried from the upgrade to the opened socket. */
export interface Admission {
  readonly sid: string;
  readonly result: ConnectResult;
  readonly env: RequestEnv;
  /** The negotiated sub-protocol. */
  readonly protocol: ProtocolName;
  /** process.hrtime.bigint() when the upgrade request arrived. */
  readonly startedAt: bigint;
}
