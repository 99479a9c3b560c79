import { createHmac } from 'node:crypto';
import { issueIdentificationToken, signStreamName } from '../../../shared/src/tokens';
import { verifyStreamName } from '../../../shared/src/message-verifier';

const SECRET = 'some-sercret-key';

function segment(token: string, index: number): string {
  return Buffer.from(token.split('.')[index], 'base64url').toString('utf8');
}

describe('issueIdentificationToken', () => {
  test('writes a header of exactly {"alg":"HS256"}', async () => {
    expect(segment(await issueIdentificationToken({ user_id: 42 }, SECRET), 0)).toBe('{"alg":"HS256"}');
  });

  test('puts the identifiers JSON in "ext" and an expiry one hour ahead in "exp", in that order', async () => {
    const before = Math.floor(Date.now() / 1000);
    const payload = segment(await issueIdentificationToken({ current_user: 'Z2lkOi8vYXBwL1VzZXIvNDI' }, SECRET), 1);
    const after = Math.floor(Date.now() / 1000);
    const match = /^\{"ext":"\{\\"current_user\\":\\"Z2lkOi8vYXBwL1VzZXIvNDI\\"\}","exp":(\d+)\}$/.exec(payload);
    expect(match).not.toBeNull();
    const exp = Number(match?.[1]);
    expect(exp).toBeGreaterThanOrEqual(before + 3600);
    expect(exp).toBeLessThanOrEqual(after + 3600);
  });

  test('keeps identifiers given as a string verbatim', async () => {
    const identifiers = '{"b":1, "a":2}';
    expect(JSON.parse(segment(await issueIdentificationToken(identifiers, SECRET), 1)).ext).toBe(identifiers);
  });

  test('issues a token without "exp" when the lifetime is zero', async () => {
    const token = await issueIdentificationToken({ user_id: 42 }, SECRET, { ttlSeconds: 0 });
    expect(segment(token, 1)).toBe('{"ext":"{\\"user_id\\":42}"}');
  });

  test('signs with the algorithm asked for and names it in the header', async () => {
    const token = await issueIdentificationToken({ user_id: 42 }, SECRET, { algorithm: 'HS512' });
    const [header, payload, signature] = token.split('.');
    expect(segment(token, 0)).toBe('{"alg":"HS512"}');
    expect(signature).toBe(createHmac('sha512', SECRET).update(`${header}.${payload}`).digest('base64url'));
  });

  test('signs what ruby-jwt signs for the same header and payload', async () => {
    const ruby = 'eyJhbGciOiJIUzI1NiJ9.eyJleHQiOiJ7XCJ1c2VyX2lkXCI6NDJ9In0.9MTvql7USSV98WiZjF6Ta1C2PJ3Gvao1PvuzUWXrkJQ';
    expect(await issueIdentificationToken({ user_id: 42 }, SECRET, { ttlSeconds: 0 })).toBe(ruby);
  });

  test('refuses to sign with an empty secret', async () => {
    await expect(issueIdentificationToken({ user_id: 42 }, '')).rejects.toThrow(TypeError);
  });
});

describe('signStreamName re-exported for publishers', () => {
  test('signs names the gateway verifies', () => {
    expect(verifyStreamName(signStreamName('chat/1', 'k'), 'k')).toBe('chat/1');
  });
});
