import {
  Server,
  ServerCredentials,
  status,
  type Metadata,
  type ServerUnaryCall,
  type UntypedServiceImplementation,
  type sendUnaryData,
} from '@grpc/grpc-js';
import {
  rpcServiceDefinition,
  type CommandMessage,
  type CommandResponse,
  type ConnectionRequest,
  type ConnectionResponse,
  type DisconnectRequest,
  type DisconnectResponse,
  type RpcMethod,
  type RpcRequest,
  type RpcResponse,
} from '../../gateway/src/rpc/proto';

/**
 * A real anycable.RPC server that behaves like a small Rails app with anycable-rails:
 * - Connect authenticates by the cookie `username=<name>` (`error=1` answers ERROR);
 * - `ChatChannel` (`{"channel":"ChatChannel","room":…}`) streams `chat_<room>` and performs `speak`
 *   (broadcasts `{"text","from"}`), `whoami` (transmits what the app received), `stop` and `kick`;
 * - `RejectChannel` and every other channel reject subscriptions;
 * - calls without the metadata `protov: v1` are answered ERROR, as the Ruby server does.
 */
export interface RpcServerOptions {
  /** How the app broadcasts (`ActionCable.server.broadcast`); awaited before the command is answered. */
  readonly broadcast?: (stream: string, data: string) => Promise<void>;
}

export interface RecordedCall<M extends RpcMethod> {
  readonly request: RpcRequest<M>;
  readonly metadata: { readonly sid: string | undefined; readonly protov: string | undefined };
}

export interface TestRpcServer {
  readonly port: number;
  /** `127.0.0.1:<port>`, for --rpc_host. */
  readonly address: string;
  /** Calls received per method, failed ones included. */
  readonly calls: Readonly<Record<RpcMethod, number>>;
  readonly requests: { readonly [M in RpcMethod]: readonly RecordedCall<M>[] };
  /** Calls being handled right now, and the most there ever were at once. */
  readonly inFlight: number;
  readonly peakInFlight: number;
  /** Every later call waits this long before it is answered. */
  setDelay(ms: number): void;
  /** Answers the next `count` calls of `method` with the gRPC error `code` instead. */
  failNext(method: RpcMethod, count: number, code: status): void;
  stop(): Promise<void>;
}

type Handler<M extends RpcMethod> = (request: RpcRequest<M>, sid: string) => RpcResponse<M> | Promise<RpcResponse<M>>;

const INCOMPATIBLE_CLIENT = 'Incompatible AnyCable RPC client';

function commandResponse(fields: Partial<CommandResponse>): CommandResponse {
  return {
    status: 'SUCCESS',
    disconnect: false,
    stop_streams: false,
    streams: [],
    transmissions: [],
    error_msg: '',
    env: null,
    stopped_streams: [],
    presence: null,
    ...fields,
  };
}

function errorResponse(message: string): CommandResponse & ConnectionResponse & DisconnectResponse {
  return { ...commandResponse({ status: 'ERROR', error_msg: message }), identifiers: '' };
}

function cookieValue(cookieHeader: string | undefined, name: string): string | undefined {
  for (const pair of (cookieHeader ?? '').split(';')) {
    const [key, ...value] = pair.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

function parseObject(json: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(json);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function connect(request: ConnectionRequest, sid: string): ConnectionResponse {
  const cookies = request.env?.headers.cookie;
  if (cookieValue(cookies, 'error') === '1') return errorResponse('Connection failed: boom');
  const username = cookieValue(cookies, 'username');
  if (!username) {
    return {
      status: 'FAILURE',
      identifiers: '',
      transmissions: [JSON.stringify({ type: 'disconnect', reason: 'unauthorized', reconnect: false })],
      error_msg: 'Auth failed',
      env: null,
    };
  }
  return {
    status: 'SUCCESS',
    identifiers: JSON.stringify({ current_user: username }),
    transmissions: [JSON.stringify({ type: 'welcome', sid })],
    error_msg: '',
    env: { cstate: { user: username }, istate: {} },
  };
}

function rejection(identifier: string): CommandResponse {
  return commandResponse({
    status: 'FAILURE',
    transmissions: [JSON.stringify({ identifier, type: 'reject_subscription' })],
  });
}

async function chatCommand(
  message: CommandMessage,
  room: string,
  broadcast: RpcServerOptions['broadcast'],
): Promise<CommandResponse> {
  const { identifier } = message;
  if (message.command === 'subscribe') {
    return commandResponse({
      streams: [`chat_${room}`],
      transmissions: [JSON.stringify({ identifier, type: 'confirm_subscription' })],
      env: { cstate: {}, istate: { room } },
    });
  }
  if (message.command === 'unsubscribe') return commandResponse({});
  const data = parseObject(message.data ?? '');
  switch (data.action) {
    case 'speak': {
      const from = parseObject(message.connection_identifiers).current_user;
      await broadcast?.(`chat_${room}`, JSON.stringify({ text: data.message, from }));
      return commandResponse({});
    }
    case 'whoami': {
      const seen = { identifiers: message.connection_identifiers, cstate: message.env.cstate, istate: message.env.istate };
      return commandResponse({ transmissions: [JSON.stringify({ identifier, message: seen })] });
    }
    case 'stop':
      return commandResponse({ stop_streams: true });
    case 'kick':
      return commandResponse({
        disconnect: true,
        transmissions: [JSON.stringify({ type: 'disconnect', reason: 'kicked', reconnect: false })],
      });
    default:
      return errorResponse(`Unable to process ChatChannel#${String(data.action)}`);
  }
}

function command(message: CommandMessage, broadcast: RpcServerOptions['broadcast']): CommandResponse | Promise<CommandResponse> {
  const params = parseObject(message.identifier);
  if (params.channel === 'ChatChannel' && typeof params.room === 'string') {
    return chatCommand(message, params.room, broadcast);
  }
  return message.command === 'subscribe' ? rejection(message.identifier) : commandResponse({});
}

function disconnect(_request: DisconnectRequest): DisconnectResponse {
  return { status: 'SUCCESS', error_msg: '' };
}

function metadataValue(metadata: Metadata, key: string): string | undefined {
  const [value] = metadata.get(key);
  return value === undefined ? undefined : String(value);
}

/** Waits `ms`; the timer stays in `pending` meanwhile, so that stopping the server can clear it. */
function delay(ms: number, pending: Set<NodeJS.Timeout>): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      pending.delete(timer);
      resolve();
    }, ms);
    pending.add(timer);
  });
}

export async function startRpcServer(options: RpcServerOptions = {}): Promise<TestRpcServer> {
  const server = new Server();
  const calls: Record<RpcMethod, number> = { connect: 0, command: 0, disconnect: 0 };
  const requests: { [M in RpcMethod]: RecordedCall<M>[] } = { connect: [], command: [], disconnect: [] };
  const failures: Record<RpcMethod, { count: number; code: status }> = {
    connect: { count: 0, code: status.OK },
    command: { count: 0, code: status.OK },
    disconnect: { count: 0, code: status.OK },
  };
  let delayMs = 0;
  const delays = new Set<NodeJS.Timeout>();
  let inFlight = 0;
  let peakInFlight = 0;

  function serve<M extends RpcMethod>(method: M, handler: Handler<M>) {
    return async (call: ServerUnaryCall<RpcRequest<M>, RpcResponse<M>>, respond: sendUnaryData<RpcResponse<M>>) => {
      calls[method] += 1;
      inFlight += 1;
      peakInFlight = Math.max(peakInFlight, inFlight);
      const metadata = { sid: metadataValue(call.metadata, 'sid'), protov: metadataValue(call.metadata, 'protov') };
      (requests[method] as RecordedCall<M>[]).push({ request: call.request, metadata });
      try {
        if (delayMs > 0) await delay(delayMs, delays);
        const failure = failures[method];
        if (failure.count > 0) {
          failure.count -= 1;
          respond({ code: failure.code, details: `injected ${status[failure.code]}` });
        } else if (!(metadata.protov ?? '').split(',').includes('v1')) {
          respond(null, errorResponse(INCOMPATIBLE_CLIENT) as RpcResponse<M>);
        } else {
          respond(null, await handler(call.request, metadata.sid ?? ''));
        }
      } catch (error) {
        respond({ code: status.INTERNAL, details: String(error) });
      } finally {
        inFlight -= 1;
      }
    };
  }

  const implementation: UntypedServiceImplementation = {
    Connect: serve('connect', connect),
    Command: serve('command', (message) => command(message, options.broadcast)),
    Disconnect: serve('disconnect', disconnect),
  };
  server.addService(rpcServiceDefinition(), implementation);
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    );
  });

  return {
    port,
    address: `127.0.0.1:${port}`,
    calls,
    requests,
    get inFlight() {
      return inFlight;
    },
    get peakInFlight() {
      return peakInFlight;
    },
    setDelay(ms) {
      delayMs = ms;
    },
    failNext(method, count, code) {
      failures[method] = { count, code };
    },
    async stop() {
      for (const timer of delays) clearTimeout(timer);
      server.forceShutdown();
    },
  };
}
