import { connect } from 'nats';
import { CablewayError, ErrorCode, errorMessage } from '../../../shared/src/errors';
import { settledWithin } from '../bounded';
import { natsConnectionOptions, type NatsConfig } from '../nats/options';
import type { PublicationSender } from './types';

const CLOSE_BOUND_MS = 2_000;

/**
 * Publishes on the subject the nats adapter hears, as the anycable gem's NATS broadcaster does. Each send
 * waits for a round trip to the server, so a publication the server did not take is an error.
 */
export function createNatsSender(config: NatsConfig, subject: string): PublicationSender {
  const connection = connect({ ...natsConnectionOptions(config), name: 'cableway-broadcast', reconnect: false });
  // A failed connect is reported by the first send; it must not surface as an unhandled rejection before.
  connection.catch(() => undefined);
  return {
    async send(raw) {
      try {
        const nats = await connection;
        nats.publish(subject, raw);
        await nats.flush();
      } catch (error) {
        throw new CablewayError(ErrorCode.NatsFailed, `publishing to NATS failed: ${errorMessage(error)}`, { cause: error });
      }
    },
    async close() {
      const nats = await connection.catch(() => null);
      if (nats) await settledWithin(nats.close(), CLOSE_BOUND_MS);
    },
  };
}
