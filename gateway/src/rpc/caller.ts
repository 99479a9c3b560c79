import { status } from '@grpc/grpc-js';
import { ErrorCode, RpcError, errorMessage } from '../../../shared/src/errors';
import type { Metrics, Tally } from '../../../shared/src/metrics';
import type { GatewayConfig } from '../config/config';
import { Backoff } from './backoff';
import type { RpcTransport } from './transport';
import { PROTO_METHOD_NAMES, type RpcMethod, type RpcRequest, type RpcResponse } from './proto';
import { Semaphore } from './semaphore';

/** What an operator can change when a call fails this way. */
const FAILURE_HINTS: ReadonlyMap<number, string> = new Map([
  [status.UNAVAILABLE, 'is the RPC server at --rpc_host up?'],
  [status.RESOURCE_EXHAUSTED, 'the RPC server is busy: lower --rpc_concurrency or give it more workers'],
  [status.DEADLINE_EXCEEDED, 'see --rpc_command_timeout and --rpc_request_timeout'],
  [status.UNAUTHENTICATED, "does --http_rpc_secret (or --secret) match the Rails app's, and is its TLS certificate trusted?"],
]);

export type CallPolicy = Pick<GatewayConfig['rpc'], 'concurrency' | 'commandTimeoutMs' | 'requestTimeoutMs'>;

export interface CallOptions {
  readonly sid: string;
  /** True once the session has closed: the call is then not started, or not tried again. */
  readonly isCanceled?: () => boolean;
}

/**
 * Makes one logical RPC call: waits for one of `concurrency` slots, then tries until an answer, a failure
 * that is not worth retrying, or the end of the `commandTimeoutMs` budget. The budget starts once the call
 * holds its slot; the wait for a slot is bounded by the budgets of the calls ahead of it.
 */
export class RpcCaller {
  private readonly slots: Semaphore;
  private readonly calls: Record<RpcMethod, Tally>;
  private readonly retries: Tally;
  private readonly errors: Tally;
  private readonly timeouts: Tally;
  private readonly canceled: Tally;

  constructor(
    private readonly transport: RpcTransport,
    private readonly policy: CallPolicy,
    metrics: Metrics,
  ) {
    this.slots = new Semaphore(policy.concurrency);
    const methods = Object.keys(PROTO_METHOD_NAMES) as RpcMethod[];
    this.calls = metrics.counterBy('rpc_call_total', 'RPC calls made (retries not counted again)', 'method', methods);
    this.retries = metrics.counter('rpc_retries_total', 'RPC attempts repeated after ResourceExhausted or Unavailable');
    this.errors = metrics.counter('rpc_error_total', 'RPC calls that failed or were answered with ERROR');
    this.timeouts = metrics.counter('rpc_timeout_total', 'RPC calls that ended past their deadline');
    this.canceled = metrics.counter('rpc_canceled_total', 'RPC calls skipped because their session had closed');
    metrics.gauge('rpc_pending_num', 'RPC calls waiting for a free slot (--rpc_concurrency)', () => this.slots.pending);
  }

  /**
   * The server's answer, ERROR status included. Rejects with RpcError: CW_ERR_RPC_CANCELED when the session
   * closed first, CW_ERR_RPC_FAILED when no answer came.
   */
  async call<M extends RpcMethod>(method: M, request: RpcRequest<M>, options: CallOptions): Promise<RpcResponse<M>> {
    this.skipIfCanceled(method, options);
    await this.slots.acquire();
    try {
      this.skipIfCanceled(method, options);
      this.calls[method].inc();
      return await this.callWithRetries(method, request, options);
    } finally {
      this.slots.release();
    }
  }

  private async callWithRetries<M extends RpcMethod>(
    method: M,
    request: RpcRequest<M>,
    options: CallOptions,
  ): Promise<RpcResponse<M>> {
    const budgetEnd = Date.now() + this.policy.commandTimeoutMs;
    let backoff: Backoff | undefined;
    for (;;) {
      try {
        const response = await this.transport.call(method, request, options.sid, this.attemptDeadline(budgetEnd));
        if (response.status === 'ERROR') this.errors.inc();
        return response;
      } catch (error) {
        const code = grpcCode(error);
        // Made on the first failure only: most calls never need one.
        const delay = (backoff ??= new Backoff()).next(code);
        if (delay === null || Date.now() + delay >= budgetEnd) throw this.failure(method, error, code);
        this.retries.inc();
        await new Promise((resolve) => setTimeout(resolve, delay));
        this.skipIfCanceled(method, options);
      }
    }
  }

  private attemptDeadline(budgetEnd: number): Date {
    const { requestTimeoutMs } = this.policy;
    return new Date(requestTimeoutMs > 0 ? Math.min(budgetEnd, Date.now() + requestTimeoutMs) : budgetEnd);
  }

  private skipIfCanceled(method: RpcMethod, options: CallOptions): void {
    if (!options.isCanceled?.()) return;
    this.canceled.inc();
    throw new RpcError(ErrorCode.RpcCanceled, `RPC ${method} skipped: the session has closed`);
  }

  private failure(method: RpcMethod, error: unknown, code: number | undefined): RpcError {
    this.errors.inc();
    if (code === status.DEADLINE_EXCEEDED) this.timeouts.inc();
    const hint = code === undefined ? undefined : FAILURE_HINTS.get(code);
    const message = `RPC ${method} failed: ${errorMessage(error)}${hint ? ` (${hint})` : ''}`;
    return new RpcError(ErrorCode.RpcFailed, message, { cause: error });
  }
}

function grpcCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}
