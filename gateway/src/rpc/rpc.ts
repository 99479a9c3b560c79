import type { Logger } from '../../../shared/src/logger';
import type { Metrics } from '../../../shared/src/metrics';
import type { GatewayConfig } from '../config/config';
import { RpcCaller } from './caller';
import { RpcController } from './controller';
import { DisconnectQueue } from './disconnect-queue';
import { GrpcTransport } from './grpc-transport';
import { HttpTransport } from './http-transport';
import type { RpcLink } from './transport';

export interface Rpc {
  readonly controller: RpcController;
  /** Where sessions send their Disconnect calls: rate-limited, never throwing. */
  readonly disconnects: DisconnectQueue;
  /**
   * Makes the queued Disconnect calls, waits for the calls in flight and closes the link, all by
   * `deadlineMs` (epoch milliseconds).
   */
  shutdown(deadlineMs: number): Promise<void>;
}

function linkFor(rpc: GatewayConfig['rpc']): RpcLink {
  const { transport } = rpc;
  // One pooled connection per call the concurrency limit lets through.
  return transport.kind === 'http' ? new HttpTransport(transport, rpc.concurrency) : new GrpcTransport(transport);
}

/**
 * The RPC room assembled from the config: one link (gRPC channel or HTTP pool), one call policy, the
 * controller, the Disconnect queue.
 */
export function createRpc(config: Pick<GatewayConfig, 'rpc' | 'disconnect'>, metrics: Metrics, logger: Logger): Rpc {
  const link = linkFor(config.rpc);
  const controller = new RpcController(new RpcCaller(link, config.rpc, metrics));
  const disconnects = new DisconnectQueue(controller, config.disconnect, metrics, logger);
  return {
    controller,
    disconnects,
    async shutdown(deadlineMs) {
      // The queued Disconnect calls need the link, so they go before it closes.
      await disconnects.drain(deadlineMs);
      await link.close(deadlineMs);
    },
  };
}
