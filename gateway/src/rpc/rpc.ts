import type { Logger } from '../../../shared/src/logger';
import type { Metrics } from '../../../shared/src/metrics';
import type { GatewayConfig } from '../config/config';
import { RpcCaller } from './caller';
import { RpcClient } from './client';
import { RpcController } from './controller';
import { DisconnectQueue } from './disconnect-queue';

export interface Rpc {
  readonly controller: RpcController;
  /** Where sessions send their Disconnect calls: rate-limited, never throwing. */
  readonly disconnects: DisconnectQueue;
  /**
   * Makes the queued Disconnect calls, waits for the calls in flight and closes the channel, all by
   * `deadlineMs` (epoch milliseconds).
   */
  shutdown(deadlineMs: number): Promise<void>;
}

/** The RPC room assembled from the config: one channel, one call policy, the controller, the Disconnect queue. */
export function createRpc(config: Pick<GatewayConfig, 'rpc' | 'disconnect'>, metrics: Metrics, logger: Logger): Rpc {
  const client = new RpcClient(config.rpc.host);
  const controller = new RpcController(new RpcCaller(client, config.rpc, metrics));
  const disconnects = new DisconnectQueue(controller, config.disconnect, metrics, logger);
  return {
    controller,
    disconnects,
    async shutdown(deadlineMs) {
      // The queued Disconnect calls need the channel, so they go before it closes.
      await disconnects.drain(deadlineMs);
      await client.close(deadlineMs);
    },
  };
}
