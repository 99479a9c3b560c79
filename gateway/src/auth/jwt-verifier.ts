import { createSecretKey, type KeyObject } from 'node:crypto';
import { errors, jwtVerify, type JWTPayload } from 'jose';
import type { HmacJwtAlgorithm } from '../../../shared/src/tokens';

/** Why a token was refused. Only `expired` has a disconnect reason of its own. */
export type TokenRejection = 'malformed' | 'algorithm' | 'signature' | 'expired' | 'not_yet_valid';

export type JwtClaims = Readonly<Record<string, unknown>>;

export type TokenVerdict =
  { readonly valid: true; readonly claims: JwtClaims } | { readonly valid: false; readonly rejection: TokenRejection };

function rejection(reason: TokenRejection): TokenVerdict {
  return { valid: false, rejection: reason };
}

const MALFORMED = rejection('malformed');
const WRONG_ALGORITHM = rejection('algorithm');
const BAD_SIGNATURE = rejection('signature');
const EXPIRED = rejection('expired');
const NOT_YET_VALID = rejection('not_yet_valid');

const HMAC_ALGORITHMS: HmacJwtAlgorithm[] = ['HS256', 'HS384', 'HS512'];

/**
 * Three segments of unpadded base64url, as golang-jwt requires. jose decodes leniently (padding, `+`, `/`
 * and stray characters are skipped), which would let one signature be spelled many ways.
 */
const COMPACT_JWS = /^[\w-]*\.[\w-]*\.[\w-]*$/;

/** The comparison jose makes for `exp`: whole seconds, no leeway. */
function hasExpired(claims: JWTPayload, now: Date): boolean {
  return typeof claims.exp === 'number' && claims.exp <= Math.floor(now.getTime() / 1000);
}

function rejectionFor(error: errors.JOSEError, now: Date): TokenVerdict {
  if (error instanceof errors.JWTExpired) return EXPIRED;
  if (error instanceof errors.JWSSignatureVerificationFailed) return BAD_SIGNATURE;
  if (error instanceof errors.JOSEAlgNotAllowed) return WRONG_ALGORITHM;
  if (error instanceof errors.JWTClaimValidationFailed && error.claim === 'nbf' && error.reason === 'check_failed') {
    // jose checks nbf before exp; golang-jwt reports a token failing both as expired.
    return hasExpired(error.payload, now) ? EXPIRED : NOT_YET_VALID;
  }
  return MALFORMED;
}

/**
 * Verifies compact JWS tokens signed with HS256, HS384 or HS512, as anycable-go (golang-jwt) does: any
 * other `alg`, `none` included, is refused; the signature is checked before any claim; `exp` and `nbf`
 * are checked with no leeway when present; `iat` is not checked. The key is imported once.
 */
export class JwtVerifier {
  private readonly key: KeyObject;

  constructor(secret: string) {
    this.key = createSecretKey(Buffer.from(secret, 'utf8'));
  }

  async verify(token: string, now: Date = new Date()): Promise<TokenVerdict> {
    if (!COMPACT_JWS.test(token)) return MALFORMED;
    try {
      const { payload } = await jwtVerify(token, this.key, { algorithms: HMAC_ALGORITHMS, currentDate: now });
      return { valid: true, claims: payload };
    } catch (error) {
      if (error instanceof errors.JOSEError) return rejectionFor(error, now);
      throw error;
    }
  }
}
