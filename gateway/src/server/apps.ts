import { ConfigError, ErrorCode } from '../../../shared/src/errors';
import type { ServerTlsConfig } from '../config/server-tls';
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
 * the HTTP broadcast and metrics endpoints. With a certificate every one of them serves TLS, as every
 * anycable-go server does.
 */
export class Apps {
  private readonly listeners = new Map<string, Listener>();

  constructor(private readonly tls: ServerTlsConfig | null) {}

  appFor(host: string, port: number): TemplatedApp {
    const key = `${host}:${port}`;
    let listener = this.listeners.get(key);
    if (!listener) {
      listener = { host, port, app: this.createApp(), socket: null };
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

  private createApp(): TemplatedApp {
    if (!this.tls) return nativeUws().App();
    const { certPath, keyPath } = this.tls;
    try {
      return nativeUws().SSLApp({ cert_file_name: certPath, key_file_name: keyPath });
    } catch {
      throw new ConfigError(
        ErrorCode.ConfigBadValue,
        `--ssl_cert=${certPath} --ssl_key=${keyPath}: cannot be read as a PEM certificate and its private key`,
      );
    }
  }
}
