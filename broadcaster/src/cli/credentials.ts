import { ConfigError, ErrorCode } from '../../../shared/src/errors';
import { issueIdentificationToken, signStreamName } from '../../../shared/src/tokens';
import type { BroadcastCliValues } from './options';

function secretFor(flag: string, specific: string, fallback: string): string {
  const secret = specific || fallback;
  if (secret === '')
    throw new ConfigError(
      ErrorCode.ConfigBadValue,
      `--${flag} needs a secret: set --${flag === 'token' ? 'jwt_secret' : 'streams_secret'} or --secret`,
    );
  return secret;
}

/**
 * What `--token` or `--sign_stream` prints: the credentials a Rails app would issue (AnyCable::JWT, a
 * Turbo signed stream name), for scripts and Node apps. Null when neither flag is given.
 */
export function credentialOf(values: BroadcastCliValues): Promise<string> | null {
  if (values.token) {
    try {
      JSON.parse(values.token);
    } catch {
      throw new ConfigError(ErrorCode.ConfigBadValue, '--token must be the identifiers as JSON, e.g. --token=\'{"user_id":42}\'');
    }
    const secret = secretFor('token', values.jwt_secret, values.secret);
    return issueIdentificationToken(values.token, secret, { ttlSeconds: values.jwt_ttl });
  }
  if (values.sign_stream) {
    return Promise.resolve(signStreamName(values.sign_stream, secretFor('sign_stream', values.streams_secret, values.secret)));
  }
  return null;
}
