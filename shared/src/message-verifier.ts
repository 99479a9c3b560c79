import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';

const SEPARATOR = '--';
/** Length of a lower-case hex HMAC-SHA256 digest. */
const DIGEST_LENGTH = 64;

/**
 * Signs and verifies stream names as Rails' `ActiveSupport::MessageVerifier.new(key, digest: "SHA256",
 * serializer: JSON)` does for Turbo Streams and CableReady: `<base64 of the JSON string>--<hex HMAC-SHA256
 * of that base64 text>`. The key is imported once per verifier.
 */
export class MessageVerifier {
  private readonly key: KeyObject;

  constructor(secret: string) {
    this.key = createSecretKey(Buffer.from(secret, 'utf8'));
  }

  sign(streamName: string): string {
    const encoded = Buffer.from(JSON.stringify(streamName), 'utf8').toString('base64');
    return `${encoded}${SEPARATOR}${this.digest(encoded)}`;
  }

  /** The stream name a signed value carries, or null when it is forged, malformed or not a JSON string. */
  verify(signed: string): string | null {
    // The digest has a fixed length, so the separator is found from the end, as Rails 7.1+ does: URL-safe
    // base64 (what the anycable gem signs `$pubsub` names with) can itself contain `--`.
    const separatorAt = signed.length - DIGEST_LENGTH - SEPARATOR.length;
    if (separatorAt <= 0 || !signed.startsWith(SEPARATOR, separatorAt)) return null;
    const encoded = signed.slice(0, separatorAt);
    const received = Buffer.from(signed.slice(separatorAt + SEPARATOR.length), 'utf8');
    const expected = Buffer.from(this.digest(encoded), 'latin1');
    if (received.length !== expected.length || !timingSafeEqual(received, expected)) return null;
    return decodeStreamName(encoded);
  }

  private digest(encoded: string): string {
    return createHmac('sha256', this.key).update(encoded, 'utf8').digest('hex');
  }
}

/** Node's base64 decoder reads both the standard and the URL-safe alphabet. */
function decodeStreamName(encoded: string): string | null {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8'));
  } catch {
    return null;
  }
  return typeof value === 'string' ? value : null;
}

export function signStreamName(streamName: string, secret: string): string {
  return new MessageVerifier(secret).sign(streamName);
}

export function verifyStreamName(signed: string, secret: string): string | null {
  return new MessageVerifier(secret).verify(signed);
}
