import type { ConnectResult, RequestEnv } from './controller';
import type { ProtocolName } from './protocol';
import type { SessionSnapshot } from './session-snapshot';

/** What a connection attempt came to, carried from the upgrade to the opened socket. */
export interface Admission {
  readonly sid: string;
  readonly result: ConnectResult;
  readonly env: RequestEnv;
  /** The negotiated sub-protocol. */
  readonly protocol: ProtocolName;
  /** The saved session this connection resumes, when it was restored (no Connect call was made). */
  readonly restored: SessionSnapshot | null;
  /** process.hrtime.bigint() when the upgrade request arrived. */
  readonly startedAt: bigint;
}
