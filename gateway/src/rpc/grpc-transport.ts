import { Client, Metadata, credentials, type ChannelOptions, type MethodDefinition } from '@grpc/grpc-js';
import type { GrpcTransportConfig } from '../config/rpc-transport';
import { registerGrpcListResolver } from './grpc-list-resolver';
import {
  PROTO_METHOD_NAMES,
  rpcServiceDefinition,
  type RpcMethod,
  type RpcRequest,
  type RpcResponse,
  type RpcServiceDefinition,
} from './proto';
import { rootCaPem } from './tls';
import { InFlightCalls, PROTOCOL_VERSIONS, type RpcLink } from './transport';

const CHANNEL_OPTIONS: ChannelOptions = {
  'grpc.service_config': JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] }),
  // The Ruby server accepts pings every 10 s and more rarely, also between calls.
  'grpc.keepalive_time_ms': 10_000,
  'grpc.keepalive_permit_without_calls': 1,
  // grpc-js waits up to 2 minutes between reconnects by default; a restarted Rails app should be found sooner.
  'grpc.max_reconnect_backoff_ms': 5_000,
  // Nothing reads channelz; tracking every call in it costs CPU per call.
  'grpc.enable_channelz': 0,
};

function channelOptions(config: GrpcTransportConfig): ChannelOptions {
  const options: ChannelOptions = { ...CHANNEL_OPTIONS };
  if (config.maxRecvSize > 0) options['grpc.max_receive_message_length'] = config.maxRecvSize;
  if (config.maxSendSize > 0) options['grpc.max_send_message_length'] = config.maxSendSize;
  return options;
}

function channelCredentials({ tls }: GrpcTransportConfig) {
  if (!tls) return credentials.createInsecure();
  return credentials.createSsl(tls.rootCa === null ? null : rootCaPem(tls.rootCa), null, null, {
    rejectUnauthorized: tls.verify,
  });
}

/**
 * grpc-js captures a stack trace on every call, for the error of a failed one; capturing it costs more
 * than the rest of starting the call. Cableway logs a failed call by its message and code, never its stack.
 */
function withoutStackTraces(run: () => void): void {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    run();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** The one gRPC channel to the RPC server. Every call carries the metadata `sid` and `protov`. */
export class GrpcTransport implements RpcLink {
  private readonly client: Client;
  private readonly service: RpcServiceDefinition = rpcServiceDefinition();
  private readonly inFlight = new InFlightCalls();

  constructor(config: GrpcTransportConfig) {
    registerGrpcListResolver();
    this.client = new Client(config.target, channelCredentials(config), channelOptions(config));
  }

  call<M extends RpcMethod>(method: M, request: RpcRequest<M>, sid: string, deadline: Date): Promise<RpcResponse<M>> {
    const definition = this.service[PROTO_METHOD_NAMES[method]] as MethodDefinition<RpcRequest<M>, RpcResponse<M>>;
    const metadata = new Metadata();
    metadata.set('sid', sid);
    metadata.set('protov', PROTOCOL_VERSIONS);
    return this.inFlight.track(
      // On a closed channel makeUnaryRequest throws, which rejects this promise.
      new Promise((resolve, reject) => {
        withoutStackTraces(() =>
          this.client.makeUnaryRequest(
            definition.path,
            definition.requestSerialize,
            definition.responseDeserialize,
            request,
            metadata,
            { deadline },
            (error, response) => (error ? reject(error) : resolve(response as RpcResponse<M>)),
          ),
        );
      }),
    );
  }

  async close(deadlineMs: number): Promise<void> {
    await this.inFlight.settled(deadlineMs);
    this.client.close();
  }
}
