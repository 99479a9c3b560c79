import { listen, stopListening } from './listen';
import { nativeUws, type TemplatedApp, type us_listen_socket } from './uws';

interface Listener {
  readonly host: string;
  readonly port: number;
  readonly app: TemplatedApp;
  socket: us_listen_socket | null;
}

/**
 * One uWS app per address the node serves: the main one (WebSockets, health) and, when configured apart,
 * the HTTP broadcast and metrics endpoints.
 */
export class Apps {
  private readonly listeners = new Map<string, Listener>();

  appFor(host: string, port: number): TemplatedApp {
    const key = `${host}:${port}`;
    let listener = this.listeners.get(key);
    if (!listener) {
      listener = { host, port, app: nativeUws().App(), socket: null };
      this.listeners.set(key, listener);
    }
    return listener.app;
  }

  all(): TemplatedApp[] {
    return [...this.listeners.values()].map((listener) => listener.app);
  }

  async listenAll(): Promise<void> {
    for (const listener of this.listeners.values()) {
      listener.socket = await listen(listener.app, listener.host, listener.port, false);
    }
  }

  /** Stops accepting connections; open sockets stay until they are closed. */
  stopListening(): void {
    for (const listener of this.listeners.values()) {
      if (listener.socket) stopListening(listener.socket);
      listener.socket = null;
    }
  }
}
