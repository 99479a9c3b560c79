import type { RequestEnv } from '../core/controller';
import type { Handshake } from '../core/handshake';

/**
 * The env every RPC call of a session carries: the request URL and the headers named by --headers, plus
 * REMOTE_ADDR (and the JWT header when a token came in one), as anycable-go sends them.
 */
export function requestEnvOf(
  handshake: Handshake,
  headerNames: readonly string[],
  extraHeader: readonly [string, string] | null,
): RequestEnv {
  const headers: Record<string, string> = {};
  for (const name of headerNames) {
    const value = handshake.headers[name];
    if (value) headers[name] = value;
  }
  if (handshake.remoteAddress) headers.REMOTE_ADDR = handshake.remoteAddress;
  if (extraHeader) headers[extraHeader[0]] = extraHeader[1];
  return { url: handshake.url, headers };
}
