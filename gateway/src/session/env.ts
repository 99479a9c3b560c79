import type { RequestEnv } from '../core/controller';
import type { Handshake } from '../core/handshake';

/**
 * The cookies of a Cookie header named in --proxy-cookies, as `name=value;` each (every cookie when none is
 * named). Unlike anycable-go, names are matched without the blank after `;` and values may contain `=`.
 */
export function keptCookies(header: string | undefined, names: readonly string[]): string | undefined {
  if (header === undefined || names.length === 0) return header;
  let kept = '';
  for (const cookie of header.split(';')) {
    const pair = cookie.trim();
    const equals = pair.indexOf('=');
    if (equals > 0 && names.includes(pair.slice(0, equals))) kept += `${pair};`;
  }
  return kept;
}

/**
 * The env every RPC call of a session carries: the request URL and the headers named by --headers, plus
 * REMOTE_ADDR (and the JWT header when a token came in one), as anycable-go sends them.
 */
export function requestEnvOf(
  handshake: Handshake,
  headerNames: readonly string[],
  extraHeader: readonly [string, string] | null,
  cookieNames: readonly string[] = [],
): RequestEnv {
  const headers: Record<string, string> = {};
  for (const name of headerNames) {
    const value = name === 'cookie' ? keptCookies(handshake.headers.cookie, cookieNames) : handshake.headers[name];
    if (value) headers[name] = value;
  }
  if (handshake.remoteAddress) headers.REMOTE_ADDR = handshake.remoteAddress;
  if (extraHeader) headers[extraHeader[0]] = extraHeader[1];
  return { url: handshake.url, headers };
}
