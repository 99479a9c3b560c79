import type { Logger } from '../../../shared/src/logger';
import { RateLimitedLog } from '../../../shared/src/logger';
import type { Metrics } from '../../../shared/src/metrics';
import type { Traffic } from '../metrics/traffic';
import { Close } from '../protocol/frames';
import type { Session } from '../session/session';
import { UwsConnection, type SocketData } from './connection';
import type { SessionOpener, SocketAdmission } from './socket-admission';
import type { WebSocket, WebSocketBehavior } from './uws';

/** What the WebSocket edge hands its events to. */
export interface SessionHost extends SessionOpener {
  /** A WebSocket pong frame arrived. */
  ponged(session: Session): void;
  closed(session: Session): void;
}

export interface SocketLimits {
  readonly maxMessageSize: number;
  readonly maxPendingSize: number;
}

/**
 * uWS cuts frames over its own limit without a close frame, so it gets a margin above max_message_size:
 * frames in between are refused here with close 1009, as clients expect.
 */
const PAYLOAD_LIMIT_FACTOR = 4;
/**
 * uWS's own backlog limit (hard close, no frame) sits well above ws_max_pending_size, so the sweep that
 * disconnects slow clients with a too_slow frame acts first; it only stops a burst between two sweeps.
 */
function hardBacklogLimit(maxPendingSize: number): number {
  return maxPendingSize > 0 ? maxPendingSize * 4 + 8 * 1024 * 1024 : 0;
}

/** An anycable-go path pattern (`/accounts/{tenant}/cable`, `/admin/cable/*`) as a uWS route. */
export function routePattern(path: string): string {
  return path.replace(/\{(\w+)\}/g, ':$1');
}

export function createWebSocketBehavior(
  host: SessionHost,
  limits: SocketLimits,
  upgrade: NonNullable<WebSocketBehavior<SocketData>['upgrade']>,
  admission: SocketAdmission,
  traffic: Traffic,
  logger: Logger,
  metrics: Metrics,
): WebSocketBehavior<SocketData> {
  const oversizeMessages = metrics.counter('oversize_client_msg_total', 'Client frames over max_message_size');
  const oversizeLog = new RateLimitedLog(logger, 'warn');
  return {
    maxPayloadLength: limits.maxMessageSize * PAYLOAD_LIMIT_FACTOR,
    maxBackpressure: hardBacklogLimit(limits.maxPendingSize),
    closeOnBackpressureLimit: limits.maxPendingSize > 0 ? 1 : 0,
    idleTimeout: 120,
    sendPingsAutomatically: true,
    upgrade,
    open(ws: WebSocket<SocketData>) {
      const data = ws.getUserData();
      const connection = new UwsConnection(ws, traffic);
      data.connection = connection;
      const handshake = data.handshake!;
      data.handshake = null;
      admission.admit(data, connection, handshake);
    },
    message(ws: WebSocket<SocketData>, message: ArrayBuffer) {
      const data = ws.getUserData();
      traffic.bytesReceived += message.byteLength;
      if (message.byteLength > limits.maxMessageSize) {
        oversizeMessages.inc();
        oversizeLog.log('client frame over max_message_size: closing', { sid: data.session?.sid, bytes: message.byteLength });
        ws.end(Close.messageTooBig.code, Close.messageTooBig.reason);
        return;
      }
      const frame = Buffer.from(message).toString('utf8');
      if (data.session) host.receive(data.session, frame);
      else admission.hold(data, frame);
    },
    pong(ws: WebSocket<SocketData>) {
      const session = ws.getUserData().session;
      if (session) host.ponged(session);
    },
    close(ws: WebSocket<SocketData>, code: number, message: ArrayBuffer) {
      const data = ws.getUserData();
      if (data.connection) data.connection.closed = true;
      if (!data.session) return;
      if (code === 1006 && message.byteLength > 0) {
        oversizeLog.log('connection cut', { sid: data.session.sid, reason: Buffer.from(message).toString() });
      }
      host.closed(data.session);
    },
  };
}
