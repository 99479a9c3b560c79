import type { status } from '@grpc/grpc-js';
import type { RpcMethod, RpcRequest, RpcResponse } from './proto';

/** The RPC protocol versions Cableway speaks; the Ruby server refuses calls that do not list v1. */
export const PROTOCOL_VERSIONS = 'v1';

/**
 * One attempt of one RPC method. A failure rejects with an error carrying the gRPC status `code` that
 * tells the caller whether to try again: a grpc-js `ServiceError`, or an `RpcTransportError`.
 */
export interface RpcTransport {
  call<M extends RpcMethod>(method: M, request: RpcRequest<M>, sid: string, deadline: Date): Promise<RpcResponse<M>>;
}

/** The node's link to the Rails app: it is closed once, at shutdown. */
export interface RpcLink extends RpcTransport {
  /**
   * Waits for the calls in flight to be answered, but not past `deadlineMs` (epoch milliseconds), then
   * closes. Later calls, including further attempts of calls between retries, fail.
   */
  close(deadlineMs: number): Promise<void>;
}

/** A failed attempt of a transport other than gRPC, with the gRPC status anycable-go gives that failure. */
export class RpcTransportError extends Error {
  constructor(
    readonly code: status,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'RpcTransportError';
  }
}

/** Counts the calls under way, so that closing can wait for them. */
export class InFlightCalls {
  private count = 0;
  private onIdle: (() => void) | undefined;

  track<T>(call: Promise<T>): Promise<T> {
    this.count += 1;
    return call.finally(() => {
      this.count -= 1;
      if (this.count === 0) this.onIdle?.();
    });
  }

  /** Resolves once no call is under way, or at `deadlineMs` (epoch milliseconds). */
  async settled(deadlineMs: number): Promise<void> {
    if (this.count === 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, Math.max(0, deadlineMs - Date.now()));
      this.onIdle = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
