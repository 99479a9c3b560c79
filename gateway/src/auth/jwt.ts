import type { Logger } from '../../../shared/src/logger';
import type { ConnectResult } from '../core/controller';
import type { JwtConfig } from '../config/config';
import { disconnectFrame, type DisconnectReason } from '../protocol/frames';
import type { Handshake } from '../core/handshake';
import { welcomeFrame, type Identifier } from './identifier';
import { JwtVerifier, type TokenRejection } from './jwt-verifier';
import { TokenLocator, type LocatedToken } from './token-locator';

export { jwtHeaderFor, tokenHeaderName } from './token-locator';

function refusal(reason: DisconnectReason): ConnectResult {
  return {
    status: 'FAILURE',
    path: 'jwt',
    identifiers: '',
    transmissions: [disconnectFrame(reason)],
    disconnectInterest: false,
  };
}

const UNAUTHORIZED = refusal('unauthorized');
const TOKEN_EXPIRED = refusal('token_expired');

/** A token signed with the right key but carrying no identifiers: the socket closes 1011 with no frame. */
const NO_IDENTIFIERS: ConnectResult = {
  status: 'ERROR',
  path: 'jwt',
  identifiers: '',
  transmissions: [],
  errorMessage: 'the token has no string "ext" claim',
  disconnectInterest: false,
};

/**
 * Identifies a connection by the JWT the Rails app issued (`AnyCable::JWT.encode`), with no RPC call: the
 * `ext` claim is the connection identifiers, kept verbatim. No token means "not mine" unless JWT is
 * enforced. FAILURE results are counted by the caller, which sees every authentication path.
 */
export class JwtIdentifier implements Identifier {
  private readonly locator: TokenLocator;
  private readonly verifier: JwtVerifier;
  private readonly enforce: boolean;
  private readonly logger: Logger;

  constructor(config: JwtConfig, logger: Logger) {
    this.locator = new TokenLocator(config.param);
    this.verifier = new JwtVerifier(config.secret);
    this.enforce = config.enforce;
    this.logger = logger.child({ component: 'jwt' });
  }

  async identify(handshake: Handshake): Promise<ConnectResult | null> {
    const located = this.locator.locate(handshake);
    if (located === null) {
      if (this.logger.enabled('debug')) {
        this.logger.debug('no token is found', { sid: handshake.sid, enforced: this.enforce });
      }
      return this.enforce ? UNAUTHORIZED : null;
    }
    const verdict = await this.verifier.verify(located.token);
    if (!verdict.valid) {
      this.logRefusal(handshake, located, verdict.rejection);
      return verdict.rejection === 'expired' ? TOKEN_EXPIRED : UNAUTHORIZED;
    }
    const identifiers = verdict.claims.ext;
    if (typeof identifiers !== 'string') {
      this.logRefusal(handshake, located, 'no_identifiers');
      return NO_IDENTIFIERS;
    }
    return {
      status: 'SUCCESS',
      path: 'jwt',
      identifiers,
      transmissions: [welcomeFrame(handshake.sid)],
      disconnectInterest: false,
    };
  }

  /** Says why, never what: the token itself is a credential. */
  private logRefusal(handshake: Handshake, located: LocatedToken, reason: TokenRejection | 'no_identifiers'): void {
    if (this.logger.enabled('debug')) {
      this.logger.debug('token refused', { sid: handshake.sid, source: located.source, reason });
    }
  }
}
