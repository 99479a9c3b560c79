import { EventEmitter } from 'node:events';
import { status } from '@grpc/grpc-js';
import { Pool, errors } from 'undici';
import { errorMessage } from '../../../shared/src/errors';
import type { HttpTransportConfig, RpcTlsConfig } from '../config/rpc-transport';
import { decodeResponse, encodeRequest } from './json-codec';
import type { RpcMethod, RpcRequest, RpcResponse } from './proto';
import { rootCaPem } from './tls';
import { InFlightCalls, PROTOCOL_VERSIONS, RpcTransportError, type RpcLink } from './transport';

/** How much of an error answer's body goes into the failure's message. */
const REASON_LENGTH = 200;

/** Node's codes for certificate and handshake failures (`DEPTH_ZERO_SELF_SIGNED_CERT`, `ERR_TLS_…`, `ERR_SSL_…`). */
const TLS_FAILURE = /^ERR_(TLS|SSL)_|CERT|SIGNATURE|ISSUER/;

function connectOptions(tls: RpcTlsConfig | null) {
  if (!tls) return undefined;
  return { ca: tls.rootCa === null ? undefined : rootCaPem(tls.rootCa), rejectUnauthorized: tls.verify };
}

function errorCodes(error: unknown): string[] {
  const codes: string[] = [];
  for (let current = error; current instanceof Error; current = current.cause) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
  }
  return codes;
}

/**
 * One request's deadline, as the `signal` undici cancels a request by: undici takes an EventEmitter that
 * emits `abort`. An AbortController per request cost the HTTP client about a fifth of its CPU per call
 * (and AbortSignal.timeout more: its timer outlives the call, and builds a DOMException when it fires).
 */
class RequestDeadline extends EventEmitter {
  expired = false;
  private readonly timer: NodeJS.Timeout;

  constructor(deadline: Date) {
    super();
    this.timer = setTimeout(
      () => {
        this.expired = true;
        this.emit('abort');
      },
      Math.max(1, deadline.getTime() - Date.now()),
    );
  }

  /** The answer came: the timer goes with it. */
  clear(): void {
    clearTimeout(this.timer);
  }
}

/** A request that got no answer, with the gRPC status anycable-go gives it: only Unavailable is retried. */
function requestFailure(error: unknown, deadline: RequestDeadline): RpcTransportError {
  const options = { cause: error };
  if (deadline.expired) return new RpcTransportError(status.DEADLINE_EXCEEDED, 'request timeout', options);
  if (error instanceof errors.ClientDestroyedError || error instanceof errors.ClientClosedError) {
    return new RpcTransportError(status.CANCELLED, 'the HTTP RPC client is closed', options);
  }
  const codes = errorCodes(error);
  const reason = [errorMessage(error), ...codes].join(', ');
  if (codes.some((code) => TLS_FAILURE.test(code))) return new RpcTransportError(status.UNAUTHENTICATED, reason, options);
  return new RpcTransportError(status.UNAVAILABLE, reason, options);
}

/** An answer other than 200: 401 is a wrong or missing token, 400 and 422 a request the server refused. */
function answerFailure(statusCode: number, body: string): RpcTransportError {
  const reason = body.slice(0, REASON_LENGTH).replace(/\s+/g, ' ').trim();
  if (statusCode === 401) return new RpcTransportError(status.UNAUTHENTICATED, 'http returned 401');
  const code = statusCode === 400 || statusCode === 422 ? status.INVALID_ARGUMENT : status.UNKNOWN;
  return new RpcTransportError(code, `http returned ${statusCode}${reason ? `: ${reason}` : ''}`);
}

/**
 * RPC over HTTP as anycable-go makes it: each call a POST of the request's JSON to `<url>/<method>`, with
 * the Bearer token and the metadata as `x-anycable-meta-*` headers, over a keep-alive connection pool.
 */
export class HttpTransport implements RpcLink {
  private readonly pool: Pool;
  private readonly basePath: string;
  private readonly search: string;
  private readonly inFlight = new InFlightCalls();

  constructor(
    private readonly config: HttpTransportConfig,
    connections: number,
  ) {
    this.pool = new Pool(config.url.origin, { connections, connect: connectOptions(config.tls) });
    this.basePath = config.url.pathname.replace(/\/+$/, '');
    this.search = config.url.search;
  }

  call<M extends RpcMethod>(method: M, request: RpcRequest<M>, sid: string, deadline: Date): Promise<RpcResponse<M>> {
    return this.inFlight.track(this.post(method, request, sid, deadline));
  }

  async close(deadlineMs: number): Promise<void> {
    await this.inFlight.settled(deadlineMs);
    await this.pool.destroy();
  }

  private async post<M extends RpcMethod>(
    method: M,
    request: RpcRequest<M>,
    sid: string,
    deadline: Date,
  ): Promise<RpcResponse<M>> {
    const expiry = new RequestDeadline(deadline);
    let statusCode: number;
    let body: string;
    try {
      const response = await this.pool.request({
        method: 'POST',
        path: `${this.basePath}/${method}${this.search}`,
        headers: this.headers(sid),
        body: encodeRequest(method, request),
        signal: expiry,
      });
      statusCode = response.statusCode;
      body = await response.body.text();
    } catch (error) {
      throw requestFailure(error, expiry);
    } finally {
      expiry.clear();
    }
    if (statusCode !== 200) throw answerFailure(statusCode, body);
    try {
      return decodeResponse(method, body);
    } catch (error) {
      throw new RpcTransportError(status.INTERNAL, `the answer is not valid JSON: ${errorMessage(error)}`, { cause: error });
    }
  }

  private headers(sid: string): Record<string, string> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'x-anycable-meta-sid': sid,
      'x-anycable-meta-protov': PROTOCOL_VERSIONS,
    };
    if (this.config.secret !== '') headers.authorization = `Bearer ${this.config.secret}`;
    return headers;
  }
}
