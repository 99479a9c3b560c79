import { JwtIdentifier } from '../../../gateway/src/auth/jwt';
import type { ConnectResult } from '../../../gateway/src/core/controller';
import type { JwtConfig } from '../../../gateway/src/config/config';
import { createLogger } from '../../../shared/src/logger';
import { issueIdentificationToken } from '../../../shared/src/tokens';
import { jwtVectors, type JwtVector } from '../shared/rails-vectors';
import { handshakeWith, tokenIn } from './handshakes';

const SECRET = 'some-sercret-key';
const UNAUTHORIZED_FRAME = '{"type":"disconnect","reason":"unauthorized","reconnect":false}';
const TOKEN_EXPIRED_FRAME = '{"type":"disconnect","reason":"token_expired","reconnect":false}';

function identifierWith(config: Partial<JwtConfig> = {}, lines: string[] = []): JwtIdentifier {
  const logger = createLogger({ level: 'debug', format: 'json', sink: (line) => lines.push(line) });
  return new JwtIdentifier({ secret: SECRET, param: 'jid', enforce: false, ...config }, logger);
}

function expectedOutcome(vector: JwtVector): ConnectResult {
  const refused = { path: 'jwt', identifiers: '', disconnectInterest: false } as const;
  switch (vector.expect) {
    case 'ok':
      return {
        status: 'SUCCESS',
        path: 'jwt',
        identifiers: vector.identifiers ?? '',
        transmissions: ['{"type":"welcome","sid":"sid-1"}'],
        disconnectInterest: false,
      };
    case 'token_expired':
      return { ...refused, status: 'FAILURE', transmissions: [TOKEN_EXPIRED_FRAME] };
    case 'unauthorized':
      return { ...refused, status: 'FAILURE', transmissions: [UNAUTHORIZED_FRAME] };
    case 'error':
      return { ...refused, status: 'ERROR', transmissions: [], errorMessage: expect.any(String) };
  }
}

describe('JwtIdentifier with tokens made by Ruby', () => {
  describe.each(['header', 'subprotocol', 'query'] as const)('from the %s', (source) => {
    test.each(jwtVectors.map((vector) => [vector.name, vector.expect, vector] as const))(
      'gives the vector "%s" the outcome %s',
      async (_name, _expect, vector) => {
        const result = await identifierWith({ secret: vector.key }).identify(tokenIn[source](vector.token));
        expect(result).toEqual(expectedOutcome(vector));
      },
    );
  });
});

describe('JwtIdentifier', () => {
  test('passes a connection without a token on to the next identifier when JWT is not enforced', async () => {
    expect(await identifierWith().identify(handshakeWith())).toBeNull();
  });

  test('refuses a connection without a token as unauthorized when JWT is enforced', async () => {
    const result = await identifierWith({ enforce: true }).identify(handshakeWith());
    expect(result?.status).toBe('FAILURE');
    expect(result?.transmissions).toEqual([UNAUTHORIZED_FRAME]);
  });

  test('uses the header token even when a sub-protocol and the query carry other tokens', async () => {
    const token = (user: number): Promise<string> => issueIdentificationToken({ user }, SECRET);
    const handshake = handshakeWith({
      headers: { 'x-jid': await token(1) },
      protocols: [`anycable-token.${await token(2)}`],
      query: `jid=${await token(3)}`,
    });
    expect((await identifierWith().identify(handshake))?.identifiers).toBe('{"user":1}');
  });

  test('refuses an invalid header token even when the query carries a valid one', async () => {
    const valid = await issueIdentificationToken({}, SECRET);
    const handshake = handshakeWith({ headers: { 'x-jid': 'forged' }, query: `jid=${valid}` });
    expect((await identifierWith().identify(handshake))?.transmissions).toEqual([UNAUTHORIZED_FRAME]);
  });

  test('accepts every token issueIdentificationToken issues with the same secret', async () => {
    for (const algorithm of ['HS256', 'HS384', 'HS512'] as const) {
      const token = await issueIdentificationToken({ current_user: 'Z2lk' }, SECRET, { algorithm });
      const result = await identifierWith().identify(tokenIn.query(token));
      expect(result?.status).toBe('SUCCESS');
      expect(result?.identifiers).toBe('{"current_user":"Z2lk"}');
    }
  });

  test('keeps the ext claim byte for byte, whitespace and key order included', async () => {
    const identifiers = '{ "z": 1,  "a": "\\u00e9" }';
    const token = await issueIdentificationToken(identifiers, SECRET);
    const result = await identifierWith().identify(tokenIn.header(token));
    expect(result?.identifiers).toBe(identifiers);
  });

  test('reads the header and query names from the configured param', async () => {
    const token = await issueIdentificationToken({ user: 1 }, SECRET);
    const identifier = identifierWith({ param: 'token' });
    expect((await identifier.identify(handshakeWith({ headers: { 'x-token': token } })))?.status).toBe('SUCCESS');
    expect((await identifier.identify(handshakeWith({ query: `token=${token}` })))?.status).toBe('SUCCESS');
    expect(await identifier.identify(tokenIn.query(token))).toBeNull();
  });

  test('logs why a token was refused at debug level without ever logging the token', async () => {
    const lines: string[] = [];
    const expired = jwtVectors.find((vector) => vector.expect === 'token_expired');
    if (!expired) throw new Error('the fixtures have an expired token');
    await identifierWith({}, lines).identify(tokenIn.header(expired.token));
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({ level: 'DEBUG', component: 'jwt', reason: 'expired', sid: 'sid-1' });
    expect(lines[0]).not.toContain(expired.token.split('.')[2]);
  });
});
