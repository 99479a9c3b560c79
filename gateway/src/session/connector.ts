import { errorMessage } from '../../../shared/src/errors';
import type { Logger } from '../../../shared/src/logger';
import { RateLimitedLog } from '../../../shared/src/logger';
import type { Metrics } from '../../../shared/src/metrics';
import type { Identifier } from '../auth/identifier';
import type { Admission } from '../core/admission';
import { EXTENDED_PROTOCOL } from '../core/protocol';
import type { SessionSnapshot } from '../core/session-snapshot';
import { AUTH_PATHS, type AuthPath, type ConnectResult, type RequestEnv } from '../core/controller';
import type { RpcAvoided } from '../metrics/rpc-avoided';
import { disconnectFrame, restoredWelcomeFrame } from '../protocol/frames';
import type { Handshake } from '../core/handshake';

/** Observes how long admitted connections took to connect. */
export interface ConnectTiming {
  admitted(admission: Admission): void;
}

/** Finds the saved session a reconnecting extended-protocol client names. */
export interface SessionRestorer {
  restore(sid: string): Promise<SessionSnapshot | null>;
}

/** The header a client names the session it wants to resume by. */
export const RESTORE_SID_HEADER = 'x-anycable-restore-sid';

/** The sid of the session a client wants to resume: the X-AnyCable-Restore-Sid header wins over `?sid=`. */
function previousSid(handshake: Handshake): string {
  return handshake.headers[RESTORE_SID_HEADER] || handshake.params.get('sid') || '';
}

/** The connect result of a restored session: its identifiers and state as saved, a welcome saying so. */
function restoredResult(sid: string, snapshot: SessionSnapshot): ConnectResult {
  return {
    status: 'SUCCESS',
    path: 'restored',
    identifiers: snapshot.identifiers,
    transmissions: [restoredWelcomeFrame(sid, Object.keys(snapshot.subscriptions))],
    ...(snapshot.cstate ? { cstate: snapshot.cstate } : {}),
    disconnectInterest: snapshot.rpcInterest,
  };
}

/** The RPC Connect call, for connections no local identifier claims. */
export interface RemoteAuthenticator {
  connect(sid: string, env: RequestEnv, isCanceled?: () => boolean): Promise<ConnectResult>;
}

const CONNECT_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

function errorResult(path: AuthPath, message: string): ConnectResult {
  return { status: 'ERROR', path, identifiers: '', transmissions: [], errorMessage: message, disconnectInterest: false };
}

/** With --norpc and no local identifier taking the connection, it is rejected as anycable-go does. */
const UNAUTHORIZED_WITHOUT_RPC: ConnectResult = {
  status: 'FAILURE',
  path: 'noauth',
  identifiers: '',
  transmissions: [disconnectFrame('unauthorized')],
  disconnectInterest: false,
};

/**
 * Decides who a connection is: a saved session it resumes first (extended protocol), then local identifiers
 * (JWT, noauth), the RPC Connect call otherwise.
 * Never throws: an unreachable RPC server is an ERROR result (the socket closes with 1011).
 */
export class Connector implements ConnectTiming {
  private readonly duration;
  private readonly failedAuths;
  private readonly failureLog: RateLimitedLog;

  constructor(
    private readonly identifier: Identifier,
    private readonly rpc: RemoteAuthenticator | null,
    private readonly envOf: (handshake: Handshake) => RequestEnv,
    private readonly avoided: RpcAvoided,
    private readonly restorer: SessionRestorer | null,
    logger: Logger,
    metrics: Metrics,
  ) {
    this.duration = metrics.histogramBy(
      'connect_duration_seconds',
      'Time from the upgrade request to the first frame, by how the connection was identified',
      'path',
      AUTH_PATHS,
      CONNECT_BUCKETS,
    );
    this.failedAuths = metrics.counter('failed_auths_total', 'Connections refused by authentication');
    this.failureLog = new RateLimitedLog(logger, 'error');
  }

  async connect(handshake: Handshake, isAborted: () => boolean): Promise<Admission> {
    const startedAt = process.hrtime.bigint();
    const env = this.envOf(handshake);
    const restored = await this.restore(handshake);
    if (restored) {
      this.avoided.restore.inc();
      const result = restoredResult(handshake.sid, restored);
      return { sid: handshake.sid, result, env, protocol: handshake.protocol, restored, startedAt };
    }
    const result = await this.identify(handshake, env, isAborted);
    if (result.status === 'FAILURE') this.failedAuths.inc();
    return { sid: handshake.sid, result, env, protocol: handshake.protocol, restored: null, startedAt };
  }

  /** Observes the connect time of an admitted connection once its first frames are written. */
  admitted(admission: Admission): void {
    const seconds = Number(process.hrtime.bigint() - admission.startedAt) / 1e9;
    this.duration[admission.result.path].observe(seconds);
  }

  private async restore(handshake: Handshake): Promise<SessionSnapshot | null> {
    if (!this.restorer || handshake.protocol !== EXTENDED_PROTOCOL) return null;
    const sid = previousSid(handshake);
    return sid === '' ? null : this.restorer.restore(sid);
  }

  private async identify(handshake: Handshake, env: RequestEnv, isAborted: () => boolean): Promise<ConnectResult> {
    try {
      const local = await this.identifier.identify(handshake);
      if (local) {
        this.avoided.connect.inc();
        return local;
      }
      if (!this.rpc) return UNAUTHORIZED_WITHOUT_RPC;
      return await this.rpc.connect(handshake.sid, env, isAborted);
    } catch (error) {
      this.failureLog.log('connection could not be authenticated', { sid: handshake.sid, error: errorMessage(error) });
      return errorResult('rpc', errorMessage(error));
    }
  }
}
