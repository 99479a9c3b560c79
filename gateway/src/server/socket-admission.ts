import { errorMessage } from '../../../shared/src/errors';
import { RateLimitedLog, type Logger } from '../../../shared/src/logger';
import type { Admission } from '../core/admission';
import type { Handshake } from '../core/handshake';
import type { Connection } from '../core/connection';
import type { Session } from '../session/session';
import { WaitingLine } from '../session/waiting-line';
import type { SocketData, UwsConnection } from './connection';

/** Authenticates a connection attempt (locally or by RPC) or restores its saved session. */
export interface Admitter {
  connect(handshake: Handshake, isAborted: () => boolean): Promise<Admission>;
}

/** What an admitted socket's session is opened and fed by. */
export interface SessionOpener {
  open(connection: Connection, admission: Admission, pingTopic: string | null): Session | null;
  receive(session: Session, frame: string): void;
}

/** As many frames as a session's command line holds; a client has no reason to send more before its welcome. */
const MAX_EARLY_FRAMES = 128;

/**
 * Admits opened sockets: authenticates each, then opens its session and hands it, in order, the frames
 * the client sent meanwhile (a client may subscribe as soon as its socket is open). A socket that closed
 * while it was being authenticated never gets a session.
 */
export class SocketAdmission {
  private admitting = 0;
  private readonly failureLog: RateLimitedLog;

  constructor(
    private readonly admitter: Admitter,
    private readonly opener: SessionOpener,
    logger: Logger,
  ) {
    this.failureLog = new RateLimitedLog(logger, 'error');
  }

  /** Sockets still being authenticated. */
  get pending(): number {
    return this.admitting;
  }

  admit(data: SocketData, connection: UwsConnection, handshake: Handshake): void {
    this.admitting += 1;
    data.admitting = true;
    this.admitter
      .connect(handshake, () => connection.closed)
      .then(
        (admission) => {
          this.admitting -= 1;
          data.admitting = false;
          if (connection.closed) return;
          const session = connection.corked(() => this.opener.open(connection, admission, data.pingTopic));
          const early = data.early;
          data.early = null;
          data.session = session;
          if (!session || !early) return;
          for (let frame = early.shift(); frame !== undefined; frame = early.shift()) this.opener.receive(session, frame);
        },
        (error: unknown) => {
          this.admitting -= 1;
          data.admitting = false;
          this.failureLog.log('connection could not be admitted', { sid: handshake.sid, error: errorMessage(error) });
          connection.close(1011, 'Internal error');
        },
      );
  }

  /** A frame of a socket without a session: kept while it is being admitted, ignored once refused. */
  hold(data: SocketData, frame: string): void {
    if (data.admitting) (data.early ??= new WaitingLine(MAX_EARLY_FRAMES)).push(frame);
  }
}
