import { createServer, type IncomingMessage, type Server, type ServerOptions, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import { errorMessage } from '../../../shared/src/errors';
import type { Logger } from '../../../shared/src/logger';
import { listenFailed } from './listen';
import { BodyCollector, contentTypeOf, statusLine, type HttpRouter, type RouteReply } from './http-router';

function write(res: ServerResponse, reply: RouteReply, close = false): void {
  // Bytes, for Content-Length, HEAD included (uWS counts a string's bytes itself).
  const body = Buffer.from(reply.body ?? '', 'utf8');
  const contentType = contentTypeOf(reply);
  res.writeHead(reply.status, {
    ...(contentType === undefined ? {} : { 'Content-Type': contentType }),
    'Content-Length': body.length,
    ...(close ? { Connection: 'close' } : {}),
  });
  // Node.js leaves the body out of answers to HEAD.
  res.end(body);
}

/**
 * Reads the body, or tells why it was refused. A declared length over the route's limit is refused unread
 * (the connection is then closed). The rest of a body refused on its way is read and thrown away rather than
 * cut off, so that a publisher still writing it gets the 413 instead of a broken pipe.
 */
function readBody(req: IncomingMessage, body: BodyCollector): Promise<Buffer | 'refused' | 'refused unread'> {
  if (body.refusedUpfront()) return Promise.resolve('refused unread');
  return new Promise((resolve, reject) => {
    req.on('data', (chunk: Buffer) => {
      if (body.add(chunk)) return;
      req.removeAllListeners('data');
      req.resume();
      resolve('refused');
    });
    req.on('end', () => resolve(body.body()));
    req.on('error', reject);
  });
}

/** WebSockets live on the main port only; an upgrade here gets a clear answer, not a hung socket. */
function refuseUpgrade(req: IncomingMessage, socket: Duplex): void {
  // The server no longer watches a socket it handed over for an upgrade: a reset must not crash the node.
  socket.on('error', () => socket.destroy());
  const reason = req.httpVersion === '1.1' ? 'no WebSocket endpoint on this port' : 'WebSocket upgrades require HTTP/1.1';
  socket.end(
    `HTTP/1.1 ${statusLine(400)}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(reason)}\r\n\r\n${reason}`,
  );
}

/**
 * A Node.js HTTP server for the ports that carry no WebSockets (HTTP broadcasts, metrics apart): unlike
 * uWS it answers every request a proxy or monitor sends — HTTP/1.0, HEAD, 400 for HTTP/1.1 without Host —
 * through the same routes.
 */
function createNodeHttpServer(router: HttpRouter, tls: NodeTls | null): Server {
  const options: ServerOptions = { requireHostHeader: true };
  const server = (tls ? createTlsServer({ ...options, ...tls }) : createServer(options)).on('request', (req, res) => {
    const method = req.method ?? 'GET';
    const path = (req.url ?? '/').split('?', 1)[0]!;
    const route = router.find(method, path);
    const body =
      !route || route.maxBodySize === 0
        ? Promise.resolve(Buffer.alloc(0))
        : readBody(req, new BodyCollector(route, Number(req.headers['content-length'] ?? 0)));
    void body.then(
      async (bytes) => {
        if (typeof bytes === 'string') return write(res, { status: 413 }, bytes === 'refused unread');
        const authorization = req.headers.authorization ?? '';
        write(res, await router.reply(route, { method, path, authorization, body: bytes }));
      },
      () => res.destroy(),
    );
  });
  server.on('upgrade', refuseUpgrade);
  return server;
}

/** The listener's certificate and key (PEM), for https:// on the ports Node.js serves. */
export interface NodeTls {
  readonly cert: Buffer;
  readonly key: Buffer;
}

/** Serves `router` on host:port with a Node.js HTTP(S) server; resolves once it listens. */
export function serveRoutesOnNode(
  router: HttpRouter,
  { host, port, tls }: { readonly host: string; readonly port: number; readonly tls: NodeTls | null },
  logger: Logger,
): Promise<Server> {
  const server = createNodeHttpServer(router, tls);
  return new Promise((resolve, reject) => {
    const failed = () => reject(listenFailed(host, port));
    server.once('error', failed);
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', failed);
      server.on('error', (error) => logger.error('HTTP server error', { port, error: errorMessage(error) }));
      resolve(server);
    });
  });
}
