import { STATUS_CODES } from 'node:http';
import type { Logger } from '../../../shared/src/logger';
import { errorMessage } from '../../../shared/src/errors';

/** A request as every listener hands it to the routes, whichever server parsed it. */
export interface RouteRequest {
  /** Upper-case, as sent. */
  readonly method: string;
  readonly path: string;
  /** The Authorization header, empty when absent: the one header a route reads. */
  readonly authorization: string;
  /** Empty unless the route reads bodies. Valid while `handle` runs: a route that keeps it copies it. */
  readonly body: Buffer;
}

export interface RouteReply {
  readonly status: number;
  readonly body?: string;
  readonly contentType?: string;
}

export interface Route {
  readonly path: string;
  /** The methods it answers (GET brings HEAD along); null for every method. */
  readonly methods: readonly string[] | null;
  /** Routes that take a body read it up to this many bytes; larger ones get 413. 0: no body is read. */
  readonly maxBodySize: number;
  /**
   * Asked once, with the first bytes of a body whose length was declared: true answers 413 at once, before
   * the rest is read (a message that could never be delivered).
   */
  refusesUnread?(declaredLength: number, head: Buffer): boolean;
  handle(request: RouteRequest): RouteReply | Promise<RouteReply>;
}

/**
 * Gathers a route's request body as it arrives, whichever server reads it, and tells when it is to be
 * refused with 413: a declared length over the limit before any byte, the route's own check on the first
 * chunk, or more bytes than the limit.
 */
export class BodyCollector {
  private readonly chunks: Buffer[] = [];
  private size = 0;

  constructor(
    private readonly route: Route,
    /** Content-Length, 0 when none was declared. */
    private readonly declared: number,
  ) {}

  /** True when the declared length alone is refused. */
  refusedUpfront(): boolean {
    return this.declared > this.route.maxBodySize;
  }

  /** Takes a chunk as it is, its reader's to copy when its memory is reused; false when the body is refused. */
  add(chunk: Buffer): boolean {
    if (this.size === 0 && this.declared > 0 && this.route.refusesUnread?.(this.declared, chunk)) return false;
    this.size += chunk.byteLength;
    if (this.size > this.route.maxBodySize) return false;
    this.chunks.push(chunk);
    return true;
  }

  body(): Buffer {
    return this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.size);
  }
}

/** A bodiless answer (every broadcast's 201) goes without Content-Type, as Go's net/http answers it. */
export function contentTypeOf(reply: RouteReply): string | undefined {
  return reply.body === undefined ? undefined : (reply.contentType ?? 'text/plain');
}

const STATUS_LINES = new Map<number, string>();

/** `200 OK`, as uWS wants a status written; built once per status, as every broadcast is answered. */
export function statusLine(status: number): string {
  let line = STATUS_LINES.get(status);
  if (line === undefined) {
    line = `${status} ${STATUS_CODES[status] ?? ''}`.trimEnd();
    STATUS_LINES.set(status, line);
  }
  return line;
}

const NOT_FOUND: RouteReply = { status: 404 };
const INTERNAL_ERROR: RouteReply = { status: 500 };

/**
 * The HTTP endpoints of one listener (health, metrics, broadcasts), independent of the server that parses
 * the requests: the uWS app of the WebSocket port and the Node.js servers of the other ports serve the same
 * routes through it.
 */
export class HttpRouter {
  private readonly routes = new Map<string, Route>();

  constructor(private readonly logger: Logger) {}

  add(route: Route): void {
    this.routes.set(route.path, route);
  }

  /** The route that answers `method` on `path`; undefined answers 404. */
  find(method: string, path: string): Route | undefined {
    const route = this.routes.get(path);
    if (!route || route.methods === null) return route;
    const asked = method === 'HEAD' ? 'GET' : method;
    return route.methods.includes(asked) ? route : undefined;
  }

  /**
   * The reply to a request `find` matched (or not); a failing route answers 500, logged here. A route that
   * answers at once is answered at once: a broadcast is one request, and a promise per request was a
   * measurable part of its cost.
   */
  reply(route: Route | undefined, request: RouteRequest): RouteReply | Promise<RouteReply> {
    if (!route) return NOT_FOUND;
    try {
      const reply = route.handle(request);
      return reply instanceof Promise ? reply.catch((error: unknown) => this.failed(route, error)) : reply;
    } catch (error) {
      return this.failed(route, error);
    }
  }

  private failed(route: Route, error: unknown): RouteReply {
    this.logger.error('HTTP endpoint failed', { path: route.path, error: errorMessage(error) });
    return INTERNAL_ERROR;
  }
}
