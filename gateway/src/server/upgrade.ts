import { randomUUID } from 'node:crypto';
import type { Keepalive } from '../session/keepalive';
import { DEFAULT_PROTOCOL } from '../core/protocol';
import type { SocketData } from './connection';
import type { Handshake } from '../core/handshake';
import { StringInterner } from './interner';
import { originAllowed } from './origin';
import { negotiateProtocol, offeredProtocols } from './subprotocol';
import type { HttpRequest, HttpResponse } from './uws';

export interface UpgradeGate {
  readonly allowedOrigins: readonly string[];
  readonly maxConn: number;
  /** The listener serves TLS: the URL the Rails app sees is https://. */
  readonly secure: boolean;
  /** The request headers the rest of the node reads; the upgrade adds its own. */
  readonly headerNames: readonly string[];
  /** Sessions open and sockets still being authenticated. */
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

/** The headers the upgrade itself reads. */
const UPGRADE_HEADERS = [
  'host',
  'origin',
  'sec-websocket-key',
  'sec-websocket-protocol',
  'sec-websocket-extensions',
  'x-request-id',
];

/**
 * The named headers of a request, each read alone: uWS's forEach calls into JavaScript once per header the
 * client sent, which cost a connect more than reading the few the node needs.
 */
function readHeaders(req: HttpRequest, names: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of names) {
    const value = req.getHeader(name);
    if (value !== '') headers[name] = value;
  }
  return headers;
}

function refuse(res: HttpResponse, status: string): void {
  res.writeStatus(status).end(status);
}

/**
 * The uWS upgrade handler: refuses what the gate refuses over HTTP, copies the request while uWS keeps it
 * valid, and upgrades at once, within the handler. Authentication follows on the open socket (as in
 * anycable-go), so a refused client still gets its disconnect frame over the WebSocket, as Action Cable
 * expects. Upgrading later from a promise would need res.cork(), which in this uWS build may leave the
 * upgraded socket deaf to every frame the client sends (uNetworking/uWebSockets.js#1108).
 */
export function createUpgradeHandler(gate: UpgradeGate, keepalive: Keepalive) {
  const shared = new StringInterner(SHARED_VALUES);
  const headerNames = [...new Set([...UPGRADE_HEADERS, ...gate.headerNames])];
  return (res: HttpResponse, req: HttpRequest, context: unknown): void => {
    if (gate.draining()) return refuse(res, '503 Service Unavailable');
    const headers = readHeaders(req, headerNames);
    if (!originAllowed(headers.origin, gate.allowedOrigins)) return refuse(res, '403 Forbidden');
    if (gate.maxConn > 0 && gate.openConnections() >= gate.maxConn) return refuse(res, '503 Service Unavailable');

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
    const pingTopic = keepalive.topicFor(handshake.params);
    const data: SocketData = {
      handshake,
      pingTopic: pingTopic && shared.intern(pingTopic),
      connection: null,
      session: null,
      admitting: false,
      early: null,
    };
    res.upgrade(
      data,
      headers['sec-websocket-key'] ?? '',
      negotiated ?? '',
      headers['sec-websocket-extensions'] ?? '',
      context as never,
    );
  };
}
