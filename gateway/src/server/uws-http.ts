import {
  BodyCollector,
  contentTypeOf,
  statusLine,
  type HttpRouter,
  type Route,
  type RouteReply,
  type RouteRequest,
} from './http-router';
import type { HttpResponse, TemplatedApp } from './uws';

function write(res: HttpResponse, method: string, reply: RouteReply): void {
  res.cork(() => {
    res.writeStatus(statusLine(reply.status));
    const contentType = contentTypeOf(reply);
    if (contentType !== undefined) res.writeHeader('Content-Type', contentType);
    // In this uWS build endWithoutBody(length) leaves the response unfinished (the connection then hangs,
    // or the process aborts when called in the handler): HEAD answers go without Content-Length, as
    // RFC 9110 allows.
    if (method === 'HEAD') res.endWithoutBody();
    // uWS writes a string as UTF-8 and counts its bytes for Content-Length.
    else res.end(reply.body ?? '');
  });
}

/** Reads the body in chunks; calls back with the whole body, or null once it is refused. */
function readBody(res: HttpResponse, body: BodyCollector, done: (body: Buffer | null) => void): void {
  if (body.refusedUpfront()) return done(null);
  let finished = false;
  res.onData((chunk, isLast) => {
    if (finished) return;
    // uWS reuses the chunk's memory after this call: earlier chunks are copied, the last is read in it (the
    // route reads its body before it returns).
    const bytes = Buffer.from(chunk);
    if (!body.add(isLast ? bytes : Buffer.from(bytes))) {
      finished = true;
      return done(null);
    }
    if (!isLast) return;
    finished = true;
    done(body.body());
  });
}

/**
 * Serves a router's endpoints on the uWS app that also serves WebSockets. uWS answers HTTP/1.1 requests
 * with a Host header only: other requests never reach this handler (see README, behind a proxy).
 */
export function serveRoutesOnUws(app: TemplatedApp, router: HttpRouter): void {
  app.any('/*', (res, req) => {
    const method = req.getCaseSensitiveMethod().toUpperCase();
    const path = req.getUrl();
    // Only what the routes read: copying every header (a call into JavaScript each) took about a quarter of
    // the JavaScript time of a broadcast.
    const authorization = req.getHeader('authorization');
    const declaredLength = Number(req.getHeader('content-length') || 0);
    const route: Route | undefined = router.find(method, path);
    let aborted = false;
    res.onAborted(() => {
      aborted = true;
    });
    const answer = (body: Buffer) => {
      const request: RouteRequest = { method, path, authorization, body };
      const reply = router.reply(route, request);
      if (!(reply instanceof Promise)) return write(res, method, reply);
      void reply.then((later) => {
        if (!aborted) write(res, method, later);
      });
    };
    if (!route || route.maxBodySize === 0) return answer(Buffer.alloc(0));
    readBody(res, new BodyCollector(route, declaredLength), (body) => {
      if (aborted) return;
      if (body === null) return write(res, method, { status: 413 });
      answer(body);
    });
  });
}
