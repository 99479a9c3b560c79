import { createHmac } from 'node:crypto';
import { MessageVerifier, signStreamName, verifyStreamName } from '../../../shared/src/message-verifier';
import { signedStreamVectors } from './rails-vectors';

const KEY = 's3cЯeT';

/** Signs as the anycable gem signs `$pubsub` names: URL-safe base64 with padding. */
function signUrlSafe(streamName: string, key: string): string {
  const standard = Buffer.from(JSON.stringify(streamName), 'utf8').toString('base64');
  const encoded = standard.replace(/\+/g, '-').replace(/\//g, '_');
  return `${encoded}--${createHmac('sha256', key).update(encoded).digest('hex')}`;
}

describe('verifyStreamName', () => {
  test.each(signedStreamVectors.map((vector) => [vector.name, vector] as const))(
    'gives the outcome Ruby expects for the vector "%s"',
    (_name, vector) => {
      expect(verifyStreamName(vector.signed, vector.key)).toBe(vector.expect === 'ok' ? vector.stream : null);
    },
  );

  test('accepts a URL-safe encoding that itself contains the separator', () => {
    const signed = signUrlSafe('ϾϾ', KEY);
    expect(signed.startsWith('Is--z74i--')).toBe(true);
    expect(verifyStreamName(signed, KEY)).toBe('ϾϾ');
  });

  test('refuses a digest written in upper-case hex', () => {
    const [encoded, digest] = signStreamName('chat/1', KEY).split('--');
    expect(verifyStreamName(`${encoded}--${digest.toUpperCase()}`, KEY)).toBeNull();
  });

  test('refuses a digest that is one character short or long', () => {
    const signed = signStreamName('chat/1', KEY);
    expect(verifyStreamName(signed.slice(0, -1), KEY)).toBeNull();
    expect(verifyStreamName(`${signed}0`, KEY)).toBeNull();
  });

  test('refuses a value with a valid digest but nothing signed', () => {
    const digest = createHmac('sha256', KEY).update('').digest('hex');
    expect(verifyStreamName(`--${digest}`, KEY)).toBeNull();
  });

  test('refuses a correctly signed payload that is not JSON', () => {
    const encoded = Buffer.from('chat/1').toString('base64');
    expect(verifyStreamName(`${encoded}--${createHmac('sha256', KEY).update(encoded).digest('hex')}`, KEY)).toBeNull();
  });

  test('refuses every signature when the secret is empty and the name was signed with a real one', () => {
    expect(verifyStreamName(signStreamName('chat/1', KEY), '')).toBeNull();
  });
});

describe('signStreamName', () => {
  const standardBase64 = signedStreamVectors.filter(
    (vector) => vector.expect === 'ok' && !/[-_]/.test(vector.signed.split('--')[0]),
  );

  test.each(standardBase64.map((vector) => [vector.name, vector] as const))(
    'reproduces the Ruby signature of the vector "%s" byte for byte',
    (_name, vector) => {
      expect(signStreamName(vector.stream ?? '', vector.key)).toBe(vector.signed);
    },
  );

  test.each([
    ['a path', 'chat/1'],
    ['the empty name', ''],
    ['a non-ASCII name', 'ünïcödé стрим ✓'],
    ['a name containing the separator', 'a--b'],
    ['a name needing JSON escapes', '"quoted"\n'],
    ['a 10 000-character name', 'x'.repeat(10_000)],
  ])('round-trips %s', (_case, name) => {
    expect(verifyStreamName(signStreamName(name, KEY), KEY)).toBe(name);
  });
});

describe('MessageVerifier', () => {
  test('verifies many names with one verifier', () => {
    const verifier = new MessageVerifier(KEY);
    const names = ['a', 'b', 'gid://app/User/1:posts'];
    expect(names.map((name) => verifier.verify(verifier.sign(name)))).toEqual(names);
  });

  test('refuses a name signed with another key', () => {
    expect(new MessageVerifier(KEY).verify(signStreamName('chat/1', 'other'))).toBeNull();
  });
});
