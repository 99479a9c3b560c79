import type { Identifier } from '../../../gateway/src/auth/identifier';
import { JwtIdentifier } from '../../../gateway/src/auth/jwt';
import { NoauthIdentifier } from '../../../gateway/src/auth/noauth';
import { IdentifierPipeline } from '../../../gateway/src/auth/pipeline';
import { createLogger } from '../../../shared/src/logger';
import { issueIdentificationToken } from '../../../shared/src/tokens';
import { handshakeWith, tokenIn } from './handshakes';

const SECRET = 'some-sercret-key';
const logger = createLogger({ level: 'error', format: 'json', sink: () => undefined });

function pipeline(enforce: boolean): IdentifierPipeline {
  const jwt = new JwtIdentifier({ secret: SECRET, param: 'jid', enforce }, logger);
  return new IdentifierPipeline([jwt, new NoauthIdentifier()]);
}

describe('NoauthIdentifier', () => {
  test('accepts every connection with its sid as identifiers and a welcome frame', async () => {
    expect(await new NoauthIdentifier().identify(handshakeWith({ sid: 'abc"1' }))).toEqual({
      status: 'SUCCESS',
      path: 'noauth',
      identifiers: '{"sid":"abc\\"1"}',
      transmissions: ['{"type":"welcome","sid":"abc\\"1"}'],
      disconnectInterest: false,
    });
  });
});

describe('IdentifierPipeline', () => {
  test('lets a valid token identify the connection before noauth', async () => {
    const token = await issueIdentificationToken({ user: 1 }, SECRET);
    const result = await pipeline(false).identify(tokenIn.query(token));
    expect(result).toMatchObject({ status: 'SUCCESS', path: 'jwt', identifiers: '{"user":1}' });
  });

  test('falls through to noauth when there is no token and JWT is not enforced', async () => {
    expect(await pipeline(false).identify(handshakeWith())).toMatchObject({ status: 'SUCCESS', path: 'noauth' });
  });

  test('does not let noauth override an enforced JWT refusal', async () => {
    expect(await pipeline(true).identify(handshakeWith())).toMatchObject({ status: 'FAILURE', path: 'jwt' });
  });

  test('does not let noauth override a refused token', async () => {
    expect(await pipeline(false).identify(tokenIn.header('forged'))).toMatchObject({ status: 'FAILURE', path: 'jwt' });
  });

  test('answers "not mine" when no identifier claims the connection', async () => {
    const notMine: Identifier = { identify: async () => null };
    expect(await new IdentifierPipeline([notMine, notMine]).identify(handshakeWith())).toBeNull();
  });

  test('asks no further identifier once one has answered', async () => {
    const asked: string[] = [];
    const recording = (name: string, answer: Awaited<ReturnType<Identifier['identify']>>): Identifier => ({
      identify: async () => {
        asked.push(name);
        return answer;
      },
    });
    const noauth = await new NoauthIdentifier().identify(handshakeWith());
    const identifiers = [recording('first', null), recording('second', noauth), recording('third', null)];
    await new IdentifierPipeline(identifiers).identify(handshakeWith());
    expect(asked).toEqual(['first', 'second']);
  });
});
