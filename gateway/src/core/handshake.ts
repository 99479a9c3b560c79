import type { ProtocolName } from './protocol';

/**
 * A WebSocket upgrade request, copied out of uWS while it is valid (uWS requests live on the stack).
 * Everything after the upgrade handler (authentication, RPC env) reads this record, never uWS.
 */
export interface Handshake {
  /** Session id: the X-Request-ID header, or a generated id. */
  readonly sid: string;
  /** Absolute http(s) URL of the request, query included (anycable.Env url). */
  readonly url: string;
  /** The query parameters, parsed once for everyone who reads them (token, ping settings). */
  readonly params: URLSearchParams;
  /**
   * The request headers some part of the node reads (the upgrade's own, `--headers`, the JWT and restore
   * headers), names lower-cased; the first value of a repeated header, as anycable-go reads them.
   */
  readonly headers: Readonly<Record<string, string>>;
  /** Sub-protocols the client offered, in its order. */
  readonly protocols: readonly string[];
  /** The protocol the session speaks: the server's first one the client offered. */
  readonly protocol: ProtocolName;
  /** Peer IP address without port. */
  readonly remoteAddress: string;
}
