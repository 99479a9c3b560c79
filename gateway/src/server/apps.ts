import type { Server } from 'node:http';
import type { Logger } from '../../../shared/src/logger';
import { HttpRouter } from './http-router';
import { listen, stopListening } from './listen';
import { serveRoutesOnNode } from './node-http';
import { nativeUws, type TemplatedApp, type us_listen_socket } from './uws';
import { serveRoutesOnUws } from './uws-http';

interface Listener {
  readonly host: string;
  readonly port: number;
  readonly routes: HttpRouter;
}

/**
 * Every address the node serves. The main one is a uWS app (WebSockets, and its HTTP endpoints); the
 * others (HTTP broadcasts, metrics, when configured apart) are Node.js HTTP servers, which answer what uWS
 * leaves unanswered (HTTP/1.0, HTTP/1.1 without Host). Both serve their endpoints through an HttpRouter.
 */
export class Apps {
  /** The app serving WebSockets; its topics carry every broadcast and ping. */
  readonly main: TemplatedApp;
  private readonly mainListener: Listener;
  private readonly others = new Map<string, Listener>();
  private mainSocket: us_listen_socket | null = null;
  private readonly servers: Server[] = [];

  constructor(
    host: string,
    port: number,
    private readonly logger: Logger,
  ) {
    this.main = nativeUws().App();
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
    serveRoutesOnUws(this.main, this.mainListener.routes);
    this.mainSocket = await listen(this.main, this.mainListener.host, this.mainListener.port, false);
    for (const { host, port, routes } of this.others.values()) {
      this.servers.push(await serveRoutesOnNode(routes, host, port, this.logger));
    }
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
