import { createHmac, generateKeyPairSync, sign } from 'node:crypto';
import { JwtVerifier } from '../../../gateway/src/auth/jwt-verifier';

const SECRET = 'some-sercret-key';
const verifier = new JwtVerifier(SECRET);
/** Whole seconds: jose compares time claims with the current time floored to the second. */
const NOW = 1_700_000_000;

function at(seconds: number): Date {
  return new Date(seconds * 1000);
}

function encode(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function hmacToken(header: object, claims: object, hash = 'sha256', secret = SECRET): string {
  const input = `${encode(header)}.${encode(claims)}`;
  return `${input}.${createHmac(hash, secret).update(input).digest('base64url')}`;
}

const CLAIMS = { ext: '{"user_id":42}' };

describe('JwtVerifier', () => {
  test.each([
    ['HS256', 'sha256'],
    ['HS384', 'sha384'],
    ['HS512', 'sha512'],
  ])('accepts a token signed with %s', async (alg, hash) => {
    expect(await verifier.verify(hmacToken({ alg }, CLAIMS, hash), at(NOW))).toEqual({ valid: true, claims: CLAIMS });
  });

  test('refuses an unsigned token with alg none', async () => {
    const token = `${encode({ alg: 'none' })}.${encode(CLAIMS)}.`;
    expect(await verifier.verify(token, at(NOW))).toEqual({ valid: false, rejection: 'algorithm' });
  });

  test('refuses an RS256 token', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const input = `${encode({ alg: 'RS256' })}.${encode(CLAIMS)}`;
    const token = `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
    expect(await verifier.verify(token, at(NOW))).toEqual({ valid: false, rejection: 'algorithm' });
  });

  test('refuses an ES256 token', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const input = `${encode({ alg: 'ES256' })}.${encode(CLAIMS)}`;
    const signature = sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' });
    expect(await verifier.verify(`${input}.${signature.toString('base64url')}`, at(NOW))).toEqual({
      valid: false,
      rejection: 'algorithm',
    });
  });

  test('refuses an algorithm name in another case', async () => {
    expect(await verifier.verify(hmacToken({ alg: 'hs256' }, CLAIMS), at(NOW))).toEqual({
      valid: false,
      rejection: 'algorithm',
    });
  });

  test('refuses a token whose header names HS512 but which is signed with HS256', async () => {
    expect(await verifier.verify(hmacToken({ alg: 'HS512' }, CLAIMS, 'sha256'), at(NOW))).toEqual({
      valid: false,
      rejection: 'signature',
    });
  });

  test.each([
    ['with base64 padding', (signature: string) => `${signature}=`],
    ['in the standard base64 alphabet', (signature: string) => Buffer.from(signature, 'base64url').toString('base64')],
    ['with a trailing space', (signature: string) => `${signature} `],
    ['with a stray character', (signature: string) => `${signature}!`],
  ])('refuses the right signature written %s', async (_spelling, respell) => {
    const [header, payload, signature] = hmacToken({ alg: 'HS256' }, CLAIMS).split('.');
    expect(await verifier.verify(`${header}.${payload}.${respell(signature)}`, at(NOW))).toEqual({
      valid: false,
      rejection: 'malformed',
    });
  });

  test('reports a forged token as a bad signature even when it has also expired', async () => {
    const token = hmacToken({ alg: 'HS256' }, { ...CLAIMS, exp: NOW - 10 }, 'sha256', 'another-key');
    expect(await verifier.verify(token, at(NOW))).toEqual({ valid: false, rejection: 'signature' });
  });

  test.each(['', 'a.b', 'a.b.c.d', '.e30.', 'not a token at all'])('refuses the malformed token %j', async (token) => {
    expect(await verifier.verify(token, at(NOW))).toEqual({ valid: false, rejection: 'malformed' });
  });

  test('refuses a correctly signed payload that is not a JSON object', async () => {
    const input = `${encode({ alg: 'HS256' })}.${encode(['ext'])}`;
    const token = `${input}.${createHmac('sha256', SECRET).update(input).digest('base64url')}`;
    expect(await verifier.verify(token, at(NOW))).toEqual({ valid: false, rejection: 'malformed' });
  });

  test('treats a token as expired from the second named by exp, with no leeway', async () => {
    const token = hmacToken({ alg: 'HS256' }, { ...CLAIMS, exp: NOW });
    expect((await verifier.verify(token, at(NOW - 1))).valid).toBe(true);
    expect(await verifier.verify(token, at(NOW))).toEqual({ valid: false, rejection: 'expired' });
  });

  test('treats a token as valid from the second named by nbf, with no leeway', async () => {
    const token = hmacToken({ alg: 'HS256' }, { ...CLAIMS, nbf: NOW });
    expect(await verifier.verify(token, at(NOW - 1))).toEqual({ valid: false, rejection: 'not_yet_valid' });
    expect((await verifier.verify(token, at(NOW))).valid).toBe(true);
  });

  test('reports expiry first when both exp and nbf fail', async () => {
    const token = hmacToken({ alg: 'HS256' }, { ...CLAIMS, exp: NOW - 1, nbf: NOW + 1 });
    expect(await verifier.verify(token, at(NOW))).toEqual({ valid: false, rejection: 'expired' });
  });

  test('does not check iat, even one in the future', async () => {
    const token = hmacToken({ alg: 'HS256' }, { ...CLAIMS, iat: NOW + 3600 });
    expect((await verifier.verify(token, at(NOW))).valid).toBe(true);
  });

  test.each([{ exp: String(NOW + 60) }, { exp: null }, { nbf: 'soon' }])(
    'refuses time claims that are not numbers: %j',
    async (times) => {
      expect(await verifier.verify(hmacToken({ alg: 'HS256' }, { ...CLAIMS, ...times }), at(NOW))).toEqual({
        valid: false,
        rejection: 'malformed',
      });
    },
  );
});
