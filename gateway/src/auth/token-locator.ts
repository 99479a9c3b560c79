import type { Handshake } from '../core/handshake';

/** A sub-protocol a client offers only to carry its token; it is never selected. */
const TOKEN_PROTOCOL_PREFIX = 'anycable-token.';

export type TokenSource = 'header' | 'subprotocol' | 'query';

export interface LocatedToken {
  readonly token: string;
  readonly source: TokenSource;
}

/** The header a token may come in: `x-<param>`, lower-cased as handshake header names are. */
export function tokenHeaderName(param: string): string {
  return `x-${param}`.toLowerCase();
}

/** A real header wins over a sub-protocol, as in anycable-go, where both end up under the header's name. */
function carriedInHeaders(handshake: Handshake, headerName: string): LocatedToken | null {
  const header = handshake.headers[headerName];
  if (header) return { token: header, source: 'header' };
  for (const protocol of handshake.protocols) {
    if (protocol.startsWith(TOKEN_PROTOCOL_PREFIX) && protocol.length > TOKEN_PROTOCOL_PREFIX.length) {
      return { token: protocol.slice(TOKEN_PROTOCOL_PREFIX.length), source: 'subprotocol' };
    }
  }
  return null;
}

/**
 * Finds a connection's identification token where anycable-go looks for it, in this order: the
 * `x-<param>` header, an offered `anycable-token.<token>` sub-protocol, the `<param>` query parameter
 * (its first value). Empty values count as absent.
 */
export class TokenLocator {
  private readonly headerName: string;

  constructor(private readonly param: string) {
    this.headerName = tokenHeaderName(param);
  }

  locate(handshake: Handshake): LocatedToken | null {
    const carried = carriedInHeaders(handshake, this.headerName);
    if (carried) return carried;
    const token = handshake.params.get(this.param);
    return token ? { token, source: 'query' } : null;
  }
}

/**
 * The `x-<param>` entry every RPC call's env headers carry when the token came in a header or a
 * sub-protocol, so the Rails app finds it under one name (a query token is already in the env URL).
 */
export function jwtHeaderFor(handshake: Handshake, param: string): readonly [string, string] | null {
  const headerName = tokenHeaderName(param);
  const carried = carriedInHeaders(handshake, headerName);
  return carried ? [headerName, carried.token] : null;
}
