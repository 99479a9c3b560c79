import type { ConnectResult } from '../core/controller';
import type { Handshake } from '../core/handshake';
import type { Identifier } from './identifier';

/**
 * Asks each identifier in turn (JWT, then noauth); the first answer that is not "not mine" decides, so an
 * enforced JWT refusal is never overridden by noauth. `null` when none claims the connection.
 */
export class IdentifierPipeline implements Identifier {
  constructor(private readonly identifiers: readonly Identifier[]) {}

  async identify(handshake: Handshake): Promise<ConnectResult | null> {
    for (const identifier of this.identifiers) {
      const result = await identifier.identify(handshake);
      if (result !== null) return result;
    }
    return null;
  }
}
