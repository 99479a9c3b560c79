import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { ConfigError, ErrorCode } from '../../../shared/src/errors';
import type { Logger } from '../../../shared/src/logger';
import type { ServerTlsConfig } from '../config/server-tls';
import { HttpRouter } from './http-router';
import { listen, stopListening } from './listen';
import { serveRoutesOnNode, type NodeTls } from './node-http';
import { nativeUws, type ClosableApp, type TemplatedApp, type us_listen_socket } from './uws';
import { serveRoutesOnUws } from './uws-http';

interface Listener {
  readonly host: string;
  readonly port: number;
  readonly routes: HttpRouter;
}

function unreadableCertificate(tls: ServerTlsConfig): ConfigError {
  return new ConfigError(
    ErrorCode.ConfigBadValue,
    `--ssl_cert=${tls.certPath} --ssl_key=${tls.keyPath}: cannot be read as a PEM certificate and its private key`,
  );
}

function createMainApp(tls: ServerTlsConfig | null): TemplatedApp {
  if (!tls) return nativeUws().App();
  try {
    return nativeUws().SSLApp({ cert_file_name: tls.certPath, key_file_name: tls.keyPath });
  } catch {
    throw unreadableCertificate(tls);
  }
}

function readNodeTls(tls: ServerTlsConfig | null): NodeTls | null {
  if (!tls) return null;
  try {
    return { cert: readFileSync(tls.certPath), key: readFileSync(tls.keyPath) };
  } catch {
    throw unreadableCertificate(tls);
  }
}

/**
 * Which of the node's addresses this thread serves: every one; the WebSocket address alone, shared with
 * the other workers (a worker thread); or every other one (the primary of worker threads).
 */
export type AppsScope = 'all' | 'main' | 'others';

/**
 * Every address the node serves. The main one is a uWS app (WebSockets, and its HTTP endpoints); the
 * others (HTTP broadcasts, metrics, when configured apart) are Node.js HTTP servers, which answer what uWS
 * leaves unanswered (HTTP/1.0, HTTP/1.1 without Host). Both serve their endpoints through an HttpRouter.
 * With a certificate every one of them serves TLS, as every anycable-go server does.
 */
export class Apps {
  /** The app serving WebSockets; its topics carry every broadcast and ping. */
  readonly main: TemplatedApp;
  private readonly mainListener: Listener;
  private readonly others = new Map<string, Listener>();
  private readonly nodeTls: NodeTls | null;
  private mainSocket: us_listen_socket | null = null;
  private readonly servers: Server[] = [];

  constructor(
    host: string,
    port: number,
    tls: ServerTlsConfig | null,
    private readonly logger: Logger,
    private readonly scope: AppsScope = 'all',
  ) {
    this.main = createMainApp(tls);
    this.nodeTls = readNodeTls(tls);
    this.mainListener = { host, port, routes: new HttpRouter(logger) };
  }

  /** The endpoints of host:port (the main address or another one). */
  routesFor(host: string, port: number): HttpRouter {
    if (host === this.mainListener.host && port === this.mainListener.port) return this.mainListener.routes;
    const key = `${host}:${port}`;
    let listener = this.others.get(key);
    if (!listener) {
      listener = { host, port, routes: new HttpRouter(this.logger) };
      this.others.set(key, listener);
    }
    return listener.routes;
  }

  /** Every address's endpoints. */
  allRoutes(): HttpRouter[] {
    return [this.mainListener, ...this.others.values()].map((listener) => listener.routes);
  }

  async listenAll(): Promise<void> {
    if (this.scope !== 'others') {
      serveRoutesOnUws(this.main, this.mainListener.routes);
      const { host, port } = this.mainListener;
      this.mainSocket = await listen(this.main, host, port, this.scope === 'main');
    }
    if (this.scope === 'main') return;
    for (const { host, port, routes } of this.others.values()) {
      this.servers.push(await serveRoutesOnNode(routes, { host, port, tls: this.nodeTls }, this.logger));
    }
  }

  /** Closes every socket at once, listening or connected, with no close frame: a worker that failed. */
  closeAll(): void {
    this.stopListening();
    (this.main as ClosableApp).close();
  }

  /** Stops accepting connections; open WebSockets stay until they are closed. */
  stopListening(): void {
    if (this.mainSocket) stopListening(this.mainSocket);
    this.mainSocket = null;
    for (const server of this.servers.splice(0)) {
      server.close();
      server.closeIdleConnections();
    }
  }
}
