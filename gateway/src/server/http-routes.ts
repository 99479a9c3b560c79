import type { Logger } from '../../../shared/src/logger';
import { errorMessage } from '../../../shared/src/errors';
import type { Metrics } from '../../../shared/src/metrics';
import type { HttpBroadcastEndpoint } from '../../../broadcaster/src/bus';
import type { HttpResponse, TemplatedApp } from './uws';

const STATUS_LINES: Readonly<Record<number, string>> = {
  200: '200 OK',
  201: '201 Created',
  401: '401 Unauthorized',
  404: '404 Not Found',
  413: '413 Payload Too Large',
  422: '422 Unprocessable Entity',
  500: '500 Internal Server Error',
  503: '503 Service Unavailable',
};

function respond(res: HttpResponse, status: number, body = '', contentType = 'text/plain'): void {
  res.cork(() => {
    res
      .writeStatus(STATUS_LINES[status] ?? String(status))
      .writeHeader('Content-Type', contentType)
      .end(body);
  });
}

export interface HealthSource {
  /** `null` when healthy, else what is degraded (e.g. "redis", "nats"). */
  degraded(): string | null;
  draining(): boolean;
}

/**
 * The health path answers 200 while the node serves clients, naming what is degraded in its body: an
 * outage of the Redis or NATS every node shares must not take every node out of the load balancer at once.
 * Only draining answers 503.
 */
export function mountHealth(app: TemplatedApp, path: string, health: HealthSource): void {
  app.any(path, (res) => {
    if (health.draining()) return respond(res, 503, 'draining');
    const degraded = health.degraded();
    respond(res, 200, degraded === null ? 'Ok' : `degraded: ${degraded}`);
  });
}

/** POST /_broadcast: the body is read in chunks up to the endpoint's limit, then handed over whole. */
export function mountBroadcast(app: TemplatedApp, endpoint: HttpBroadcastEndpoint): void {
  app.any(endpoint.path, (res, req) => {
    if (req.getMethod().toLowerCase() !== 'post') return respond(res, 422);
    // A declared length over a limit is refused before the body is read (beyond its first bytes).
    const declared = Number(req.getHeader('content-length'));
    if (declared > endpoint.maxBodySize) return respond(res, 413);
    const authorization = req.getHeader('authorization');
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    res.onAborted(() => {
      done = true;
    });
    res.onData((chunk, isLast) => {
      if (done) return;
      if (size === 0 && declared > 0 && endpoint.refusesUnread(declared, Buffer.from(chunk))) {
        done = true;
        return respond(res, 413);
      }
      size += chunk.byteLength;
      if (size > endpoint.maxBodySize) {
        done = true;
        return respond(res, 413);
      }
      chunks.push(Buffer.from(chunk.slice(0)));
      if (!isLast) return;
      done = true;
      respond(res, endpoint.handle(authorization, Buffer.concat(chunks, size)));
    });
  });
}

/** The Prometheus endpoint. */
export function mountMetrics(app: TemplatedApp, path: string, metrics: Metrics, logger: Logger): void {
  app.get(path, (res) => {
    let aborted = false;
    res.onAborted(() => {
      aborted = true;
    });
    metrics.render().then(
      (text) => {
        if (!aborted) respond(res, 200, text, metrics.contentType);
      },
      (error: unknown) => {
        logger.error('metrics could not be rendered', { error: errorMessage(error) });
        if (!aborted) respond(res, 500);
      },
    );
  });
}

export function mountNotFound(app: TemplatedApp): void {
  app.any('/*', (res) => respond(res, 404));
}
