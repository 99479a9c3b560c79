import type { Handshake } from '../../../gateway/src/core/handshake';

/** A connection request with no token anywhere, unless the overrides (and `query`) put one in. */
export function handshakeWith({ query = '', ...overrides }: Partial<Handshake> & { query?: string } = {}): Handshake {
  return {
    sid: 'sid-1',
    url: `http://localhost:8080/cable${query ? `?${query}` : ''}`,
    params: new URLSearchParams(query),
    headers: {},
    protocols: ['actioncable-v1-json'],
    protocol: 'actioncable-v1-json',
    remoteAddress: '127.0.0.1',
    ...overrides,
  };
}

export const tokenIn = {
  header: (token: string): Handshake => handshakeWith({ headers: { 'x-jid': token } }),
  subprotocol: (token: string): Handshake => handshakeWith({ protocols: ['actioncable-v1-json', `anycable-token.${token}`] }),
  query: (token: string): Handshake => handshakeWith({ query: `jid=${encodeURIComponent(token)}` }),
};
