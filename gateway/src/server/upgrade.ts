import { randomUUID } from 'node:crypto';
import type { Keepalive } from '../session/keepalive';
import type { Admission } from '../core/admission';
import { DEFAULT_PROTOCOL } from '../core/protocol';
import type { SocketData } from './connection';
import type { Handshake } from '../core/handshake';
import { StringInterner } from './interner';
import { originAllowed } from './origin';
import { negotiateProtocol, offeredProtocols } from './subprotocol';
import type { HttpRequest, HttpResponse } from './uws';
import { copyHeaders } from './uws-http';

export interface Admitter {
  connect(handshake: Handshake, isAborted: () => boolean): Promise<Admission>;
}

export interface UpgradeGate {
  readonly allowedOrigins: readonly string[];
  readonly maxConn: number;
  /** The listener serves TLS: the URL the Rails app sees is https://. */
  readonly secure: boolean;
  openConnections(): number;
  draining(): boolean;
}

/** randomUUID draws from a cached entropy pool: a fresh randomBytes call per connection costs far more. */
function newSid(): string {
  return randomUUID();
}

/** Enough for the URLs, addresses and ping topics of a node's usual clients. */
const SHARED_VALUES = 1024;

/** A URL without a query is shared; one with a query is most often the client's own (a token in it). */
function requestUrl(secure: boolean, host: string | undefined, path: string, query: string, shared: StringInterner): string {
  const base = `${secure ? 'https' : 'http'}://${host ?? 'localhost'}${path}`;
  return query ? `${base}?${query}` : shared.intern(base);
}

function refuse(res: HttpResponse, status: string): void {
  res.writeStatus(status).end(status);
}

/**
 * The uWS upgrade handler: copies the request while uWS keeps it valid, authenticates without holding
 * uWS objects, then upgrades (corked) unless the client went away meanwhile. A refused authentication
 * still upgrades, so the client gets its disconnect frame over the WebSocket, as Action Cable expects.
 */
export function createUpgradeHandler(gate: UpgradeGate, admitter: Admitter, keepalive: Keepalive) {
  let upgrading = 0;
  const shared = new StringInterner(SHARED_VALUES);
  return (res: HttpResponse, req: HttpRequest, context: unknown): void => {
    if (gate.draining()) return refuse(res, '503 Service Unavailable');
    const headers = copyHeaders(req);
    if (!originAllowed(headers.origin, gate.allowedOrigins)) return refuse(res, '403 Forbidden');
    if (gate.maxConn > 0 && gate.openConnections() + upgrading >= gate.maxConn) return refuse(res, '503 Service Unavailable');

    const query = req.getQuery() ?? '';
    const protocols = offeredProtocols(headers['sec-websocket-protocol'] ?? '');
    const negotiated = negotiateProtocol(protocols);
    const handshake: Handshake = {
      sid: headers['x-request-id'] || newSid(),
      url: requestUrl(gate.secure, headers.host, req.getUrl(), query, shared),
      params: new URLSearchParams(query),
      headers,
      protocols,
      protocol: negotiated ?? DEFAULT_PROTOCOL,
      remoteAddress: shared.intern(Buffer.from(res.getRemoteAddressAsText()).toString()),
    };
    const key = headers['sec-websocket-key'] ?? '';
    const extensions = headers['sec-websocket-extensions'] ?? '';
    let aborted = false;
    res.onAborted(() => {
      aborted = true;
    });
    upgrading += 1;
    admitter
      .connect(handshake, () => aborted)
      .then(
        (admission) => {
          upgrading -= 1;
          if (aborted) return;
          const pingTopic = keepalive.topicFor(handshake.params);
          const data: SocketData = {
            admission,
            pingTopic: pingTopic && shared.intern(pingTopic),
            connection: null,
            session: null,
          };
          res.cork(() => res.upgrade(data, key, negotiated ?? '', extensions, context as never));
        },
        () => {
          upgrading -= 1;
          if (!aborted) res.cork(() => refuse(res, '500 Internal Server Error'));
        },
      );
  };
}
