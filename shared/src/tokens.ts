import { SignJWT } from 'jose';

export { signStreamName } from './message-verifier';

/** The JWT algorithms AnyCable accepts for identification tokens. */
export type HmacJwtAlgorithm = 'HS256' | 'HS384' | 'HS512';

export interface IdentificationTokenOptions {
  /** Lifetime in seconds; zero or less issues a token that never expires (as `jwt_ttl` does in Ruby). */
  readonly ttlSeconds?: number;
  readonly algorithm?: HmacJwtAlgorithm;
}

/**
 * An identification token as `AnyCable::JWT.encode` issues it: header `{"alg":"HS256"}` alone, payload
 * `{"ext":"<identifiers JSON>","exp":<now + ttl>}`. The gateway takes the `ext` text verbatim as the
 * connection identifiers, so a string is passed through unchanged and an object is JSON-encoded.
 */
export async function issueIdentificationToken(
  identifiers: object | string,
  secret: string,
  { ttlSeconds = 3600, algorithm = 'HS256' }: IdentificationTokenOptions = {},
): Promise<string> {
  if (secret === '') throw new TypeError('an identification token needs a non-empty secret (jwt_secret or secret)');
  const ext = typeof identifiers === 'string' ? identifiers : JSON.stringify(identifiers);
  const claims = ttlSeconds > 0 ? { ext, exp: Math.floor(Date.now() / 1000 + ttlSeconds) } : { ext };
  return new SignJWT(claims).setProtectedHeader({ alg: algorithm }).sign(Buffer.from(secret, 'utf8'));
}
