import { status } from '@grpc/grpc-js';
import { Pool, errors, type Dispatcher } from 'undici';
import { errorMessage } from '../../../shared/src/errors';
import type { HttpTransportConfig, RpcTlsConfig } from '../config/rpc-transport';
import { HttpExchange, type ExchangeFailure, type HttpAnswer } from './http-exchange';
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

/** A request that got no answer, with the gRPC status anycable-go gives it: only Unavailable is retried. */
function requestFailure(failure: ExchangeFailure): RpcTransportError {
  if (failure.expired) return new RpcTransportError(status.DEADLINE_EXCEEDED, 'request timeout');
  const { error } = failure;
  const options = { cause: error };
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

/** The decoded response of an answer; throws RpcTransportError for an answer other than 200 or not JSON. */
function readAnswer<M extends RpcMethod>(method: M, { statusCode, body }: HttpAnswer): RpcResponse<M> {
  if (statusCode !== 200) throw answerFailure(statusCode, body);
  try {
    return decodeResponse(method, body);
  } catch (error) {
    throw new RpcTransportError(status.INTERNAL, `the answer is not valid JSON: ${errorMessage(error)}`, { cause: error });
  }
}

/**
 * RPC over HTTP as anycable-go makes it: each call a POST of the request's JSON to `<url>/<method>`, with
 * the Bearer token and the metadata as `x-anycable-meta-*` headers, over a keep-alive connection pool.
 */
export class HttpTransport implements RpcLink {
  private readonly pool: Pool;
  private readonly origin: string;
  private readonly basePath: string;
  private readonly search: string;
  private readonly inFlight = new InFlightCalls();

  constructor(
    private readonly config: HttpTransportConfig,
    connections: number,
  ) {
    this.origin = config.url.origin;
    this.pool = new Pool(this.origin, { connections, connect: connectOptions(config.tls) });
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

  private post<M extends RpcMethod>(method: M, request: RpcRequest<M>, sid: string, deadline: Date): Promise<RpcResponse<M>> {
    return new Promise((resolve, reject) => {
      // Built before the exchange starts its deadline timer: a request that cannot be encoded rejects alone.
      const options: Dispatcher.DispatchOptions = {
        origin: this.origin,
        method: 'POST',
        path: `${this.basePath}/${method}${this.search}`,
        headers: this.headers(sid),
        body: encodeRequest(method, request),
      };
      const exchange = new HttpExchange(
        deadline,
        (answer) => {
          try {
            resolve(readAnswer(method, answer));
          } catch (error) {
            reject(error);
          }
        },
        (failure) => reject(requestFailure(failure)),
      );
      this.pool.dispatch(options, exchange);
    });
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
