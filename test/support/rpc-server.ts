import {
  Server,
  ServerCredentials,
  status,
  type Metadata,
  type ServerUnaryCall,
  type UntypedServiceImplementation,
  type sendUnaryData,
} from '@grpc/grpc-js';
import { rpcServiceDefinition, type RpcMethod, type RpcRequest, type RpcResponse } from '../../gateway/src/rpc/proto';
import { FailureScript, RpcApp, TestRpcAppServer, type RpcAppOptions, type TestRpcApp } from './rpc-app';

export type { RecordedCall } from './rpc-app';

/** A real anycable.RPC gRPC server in front of the test Rails app (`rpc-app.ts`). */
export interface RpcServerOptions extends RpcAppOptions {
  /** Serve TLS with this certificate and key (PEM). */
  readonly tls?: { readonly cert: Buffer; readonly key: Buffer };
}

export interface TestRpcServer extends TestRpcApp {
  readonly port: number;
  /** `127.0.0.1:<port>`, for --rpc_host. */
  readonly address: string;
  /** Answers the next `count` calls of `method` with the gRPC error `code` instead. */
  failNext(method: RpcMethod, count: number, code: status): void;
}

function metadataValue(metadata: Metadata, key: string): string | undefined {
  const [value] = metadata.get(key);
  return value === undefined ? undefined : String(value);
}

export async function startRpcServer(options: RpcServerOptions = {}): Promise<TestRpcServer> {
  const server = new Server();
  const app = new RpcApp(options);
  const failures = new FailureScript<status>();

  function serve<M extends RpcMethod>(method: M) {
    return async (call: ServerUnaryCall<RpcRequest<M>, RpcResponse<M>>, respond: sendUnaryData<RpcResponse<M>>) => {
      const metadata = { sid: metadataValue(call.metadata, 'sid'), protov: metadataValue(call.metadata, 'protov') };
      try {
        const outcome = await app.handle(method, call.request, metadata, () => failures.take(method));
        if ('failure' in outcome) respond({ code: outcome.failure, details: `injected ${status[outcome.failure]}` });
        else respond(null, outcome.response);
      } catch (error) {
        respond({ code: status.INTERNAL, details: String(error) });
      }
    };
  }

  const implementation: UntypedServiceImplementation = {
    Connect: serve('connect'),
    Command: serve('command'),
    Disconnect: serve('disconnect'),
  };
  server.addService(rpcServiceDefinition(), implementation);
  const credentials = options.tls
    ? ServerCredentials.createSsl(null, [{ cert_chain: options.tls.cert, private_key: options.tls.key }])
    : ServerCredentials.createInsecure();
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', credentials, (error, bound) => (error ? reject(error) : resolve(bound)));
  });

  return new GrpcTestServer(app, server, port, failures);
}

class GrpcTestServer extends TestRpcAppServer implements TestRpcServer {
  readonly address: string;

  constructor(
    app: RpcApp,
    private readonly server: Server,
    readonly port: number,
    private readonly failures: FailureScript<status>,
  ) {
    super(app);
    this.address = `127.0.0.1:${port}`;
  }

  failNext(method: RpcMethod, count: number, code: status): void {
    this.failures.failNext(method, count, code);
  }

  protected async closeTransport(): Promise<void> {
    this.server.forceShutdown();
  }
}
