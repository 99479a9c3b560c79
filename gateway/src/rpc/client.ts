import { Client, Metadata, credentials, type ChannelOptions, type MethodDefinition } from '@grpc/grpc-js';
import {
  PROTO_METHOD_NAMES,
  rpcServiceDefinition,
  type RpcMethod,
  type RpcRequest,
  type RpcResponse,
  type RpcServiceDefinition,
} from './proto';
import { grpcTarget } from './target';

/** The RPC protocol versions this client speaks; the Ruby server refuses calls that do not list v1. */
const PROTOCOL_VERSIONS = 'v1';

const CHANNEL_OPTIONS: ChannelOptions = {
  'grpc.service_config': JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] }),
  // The Ruby server accepts pings every 10 s and more rarely, also between calls.
  'grpc.keepalive_time_ms': 10_000,
  'grpc.keepalive_permit_without_calls': 1,
  // grpc-js waits up to 2 minutes between reconnects by default; a restarted Rails app should be found sooner.
  'grpc.max_reconnect_backoff_ms': 5_000,
};

/** One attempt of one RPC method; rejects with the gRPC error (a `ServiceError` carrying a `code`). */
export interface RpcTransport {
  call<M extends RpcMethod>(method: M, request: RpcRequest<M>, sid: string, deadline: Date): Promise<RpcResponse<M>>;
}

/** The one gRPC channel to the RPC server. Every call carries the metadata `sid` and `protov`. */
export class RpcClient implements RpcTransport {
  private readonly client: Client;
  private readonly service: RpcServiceDefinition = rpcServiceDefinition();
  private inFlight = 0;
  private onIdle: (() => void) | undefined;

  constructor(rpcHost: string) {
    this.client = new Client(grpcTarget(rpcHost), credentials.createInsecure(), CHANNEL_OPTIONS);
  }

  call<M extends RpcMethod>(method: M, request: RpcRequest<M>, sid: string, deadline: Date): Promise<RpcResponse<M>> {
    const definition = this.service[PROTO_METHOD_NAMES[method]] as MethodDefinition<RpcRequest<M>, RpcResponse<M>>;
    const metadata = new Metadata();
    metadata.set('sid', sid);
    metadata.set('protov', PROTOCOL_VERSIONS);
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest(
        definition.path,
        definition.requestSerialize,
        definition.responseDeserialize,
        request,
        metadata,
        { deadline },
        (error, response) => {
          this.finished();
          if (error) reject(error);
          else resolve(response as RpcResponse<M>);
        },
      );
      // Counted once under way: on a closed channel makeUnaryRequest throws, which rejects this promise.
      this.inFlight += 1;
    });
  }

  /**
   * Waits for the calls in flight to be answered, but not past `deadlineMs` (epoch milliseconds), then
   * closes the channel. Later calls, including further attempts of calls between retries, fail.
   */
  async close(deadlineMs: number): Promise<void> {
    if (this.inFlight > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, deadlineMs - Date.now()));
        this.onIdle = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    this.client.close();
  }

  private finished(): void {
    this.inFlight -= 1;
    if (this.inFlight === 0) this.onIdle?.();
  }
}
