import type {
  CommandMessage,
  CommandResponse,
  ConnectionRequest,
  ConnectionResponse,
  DisconnectRequest,
  DisconnectResponse,
  RpcMethod,
  RpcRequest,
  RpcResponse,
} from '../../gateway/src/rpc/proto';

/**
 * The Rails app behind the test RPC servers (gRPC and HTTP), behaving like a small app with anycable-rails:
 * - Connect authenticates by the cookie `username=<name>` (`error=1` answers ERROR);
 * - `ChatChannel` (`{"channel":"ChatChannel","room":…}`) streams `chat_<room>` and performs `speak`
 *   (broadcasts `{"text","from"}`), `whoami` (transmits what the app received), `stop`, `kick`, and
 *   `enter` / `exit` (anycable-rails' Presence API: the user joins or leaves the room's presence);
 * - `RejectChannel` and every other channel reject subscriptions;
 * - calls whose metadata `protov` lacks `v1` are answered ERROR, as the Ruby handler does.
 * The servers differ only in the transport; each records the calls here.
 */
export interface RpcAppOptions {
  /** How the app broadcasts (`ActionCable.server.broadcast`); awaited before the command is answered. */
  readonly broadcast?: (stream: string, data: string) => Promise<void>;
}

/** What the transport carried besides the message: gRPC metadata, or HTTP `x-anycable-meta-*` headers. */
export interface CallMetadata {
  readonly sid: string | undefined;
  readonly protov: string | undefined;
}

export interface RecordedCall<M extends RpcMethod> {
  readonly request: RpcRequest<M>;
  readonly metadata: CallMetadata;
}

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
  broadcast: RpcAppOptions['broadcast'],
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
    case 'enter': {
      const user = String(parseObject(message.connection_identifiers).current_user);
      return commandResponse({
        // anycable-rails keeps the presence stream in the subscription's state.
        env: { cstate: {}, istate: { $p: `chat_${room}` } },
        presence: { type: 'join', id: user, info: JSON.stringify({ name: user }), ttl: 0 },
      });
    }
    case 'exit': {
      const user = String(parseObject(message.connection_identifiers).current_user);
      return commandResponse({ presence: { type: 'leave', id: user, info: '', ttl: 0 } });
    }
    case 'kick':
      return commandResponse({
        disconnect: true,
        transmissions: [JSON.stringify({ type: 'disconnect', reason: 'kicked', reconnect: false })],
      });
    default:
      return errorResponse(`Unable to process ChatChannel#${String(data.action)}`);
  }
}

function command(message: CommandMessage, broadcast: RpcAppOptions['broadcast']): CommandResponse | Promise<CommandResponse> {
  const params = parseObject(message.identifier);
  if (params.channel === 'ChatChannel' && typeof params.room === 'string') {
    return chatCommand(message, params.room, broadcast);
  }
  return message.command === 'subscribe' ? rejection(message.identifier) : commandResponse({});
}

function disconnect(_request: DisconnectRequest): DisconnectResponse {
  return { status: 'SUCCESS', error_msg: '' };
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

/** The calls of one method that are to fail next, with a failure each transport defines. */
export class FailureScript<F> {
  private readonly pending: Partial<Record<RpcMethod, { count: number; failure: F }>> = {};

  failNext(method: RpcMethod, count: number, failure: F): void {
    this.pending[method] = { count, failure };
  }

  /** The failure of this call of `method`, if one is due. */
  take(method: RpcMethod): F | undefined {
    const due = this.pending[method];
    if (!due || due.count === 0) return undefined;
    due.count -= 1;
    return due.failure;
  }
}

const HANDLERS = {
  connect: (request: ConnectionRequest, sid: string) => connect(request, sid),
  command: (message: CommandMessage, _sid: string, broadcast: RpcAppOptions['broadcast']) => command(message, broadcast),
  disconnect: (request: DisconnectRequest) => disconnect(request),
};

/** The app's state as the tests see it: calls received, calls in flight, the delay of every answer. */
export class RpcApp {
  readonly calls: Record<RpcMethod, number> = { connect: 0, command: 0, disconnect: 0 };
  readonly requests: { [M in RpcMethod]: RecordedCall<M>[] } = { connect: [], command: [], disconnect: [] };
  inFlight = 0;
  peakInFlight = 0;
  delayMs = 0;
  private readonly delays = new Set<NodeJS.Timeout>();

  constructor(private readonly options: RpcAppOptions = {}) {}

  /**
   * Records the call and waits the delay; then `failure()` may turn the call into a transport failure
   * (resolving `{ failure }`), else the app answers it.
   */
  async handle<M extends RpcMethod, F>(
    method: M,
    request: RpcRequest<M>,
    metadata: CallMetadata,
    failure: () => F | undefined,
  ): Promise<{ readonly failure: F } | { readonly response: RpcResponse<M> }> {
    this.calls[method] += 1;
    this.inFlight += 1;
    this.peakInFlight = Math.max(this.peakInFlight, this.inFlight);
    (this.requests[method] as RecordedCall<M>[]).push({ request, metadata });
    try {
      if (this.delayMs > 0) await delay(this.delayMs, this.delays);
      const injected = failure();
      if (injected !== undefined) return { failure: injected };
      if (!(metadata.protov ?? '').split(',').includes('v1')) {
        return { response: errorResponse(INCOMPATIBLE_CLIENT) as RpcResponse<M> };
      }
      const handler = HANDLERS[method] as (
        request: RpcRequest<M>,
        sid: string,
        broadcast: RpcAppOptions['broadcast'],
      ) => RpcResponse<M> | Promise<RpcResponse<M>>;
      return { response: await handler(request, metadata.sid ?? '', this.options.broadcast) };
    } finally {
      this.inFlight -= 1;
    }
  }

  /** Ends the delays under way, for a server that stops. */
  stop(): void {
    for (const timer of this.delays) clearTimeout(timer);
  }
}

/** What both test servers offer the tests. */
export interface TestRpcApp {
  /** Calls received per method, failed ones included. */
  readonly calls: Readonly<Record<RpcMethod, number>>;
  readonly requests: { readonly [M in RpcMethod]: readonly RecordedCall<M>[] };
  /** Calls being handled right now, and the most there ever were at once. */
  readonly inFlight: number;
  readonly peakInFlight: number;
  /** Every later call waits this long before it is answered. */
  setDelay(ms: number): void;
  stop(): Promise<void>;
}

/** What both test servers have in common: the app's view, and `stop`, which closes the transport. */
export abstract class TestRpcAppServer implements TestRpcApp {
  constructor(protected readonly app: RpcApp) {}

  get calls(): Readonly<Record<RpcMethod, number>> {
    return this.app.calls;
  }

  get requests(): { readonly [M in RpcMethod]: readonly RecordedCall<M>[] } {
    return this.app.requests;
  }

  get inFlight(): number {
    return this.app.inFlight;
  }

  get peakInFlight(): number {
    return this.app.peakInFlight;
  }

  setDelay(ms: number): void {
    this.app.delayMs = ms;
  }

  async stop(): Promise<void> {
    this.app.stop();
    await this.closeTransport();
  }

  protected abstract closeTransport(): Promise<void>;
}
