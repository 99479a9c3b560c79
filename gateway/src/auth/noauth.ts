import type { ConnectResult } from '../core/controller';
import type { Handshake } from '../core/handshake';
import { welcomeFrame, type Identifier } from './identifier';

/** `--noauth`: every connection is accepted, identified by its session id alone (`{"sid":"<sid>"}`). */
export class NoauthIdentifier implements Identifier {
  async identify(handshake: Handshake): Promise<ConnectResult> {
    return {
      status: 'SUCCESS',
      path: 'noauth',
      identifiers: JSON.stringify({ sid: handshake.sid }),
      transmissions: [welcomeFrame(handshake.sid)],
      disconnectInterest: false,
    };
  }
}
