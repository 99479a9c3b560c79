import WebSocket, { type ClientOptions } from 'ws';
import { waitFor } from './wait';

/**
 * Real clients, as Rails apps' front ends use them, running in Node on the `ws` package:
 * `@rails/actioncable`, `@anycable/web`, and a raw WebSocket for what no client library would send.
 */

// The browser globals the client libraries touch in Node: the page-visibility hooks only.
const globals = globalThis as Record<string, unknown>;
globals.addEventListener ??= () => undefined;
globals.removeEventListener ??= () => undefined;

// eslint-disable-next-line @typescript-eslint/no-require-imports
const ActionCable = require('@rails/actioncable') as typeof import('@rails/actioncable');

/** Per-URL socket options: request headers (a browser would send the page's cookies), the CA of wss:// servers. */
const optionsByUrl = new Map<string, ClientOptions>();
let clientCounter = 0;

class HeaderWebSocket extends WebSocket {
  constructor(url: string, protocols?: string | string[]) {
    super(url, protocols, optionsByUrl.get(url) ?? {});
  }
}
(ActionCable.adapters as { WebSocket: unknown }).WebSocket = HeaderWebSocket;
(ActionCable.adapters as { logger: unknown }).logger = { log: () => undefined };

export interface Recorder {
  readonly received: unknown[];
  readonly events: string[];
  confirmed(): Promise<void>;
  rejected(): Promise<void>;
  /** Waits until `count` messages arrived. */
  messages(count: number, timeoutMs?: number): Promise<unknown[]>;
}

function recorder(): Recorder & { callbacks: Record<string, (data?: unknown) => void> } {
  const received: unknown[] = [];
  const events: string[] = [];
  return {
    received,
    events,
    callbacks: {
      connected: () => events.push('connected'),
      rejected: () => events.push('rejected'),
      disconnected: () => events.push('disconnected'),
      received: (data) => received.push(data),
    },
    confirmed: () => waitFor(() => events.includes('connected'), 'subscription confirmed').then(() => undefined),
    rejected: () => waitFor(() => events.includes('rejected'), 'subscription rejected').then(() => undefined),
    messages: (count, timeoutMs = 10_000) =>
      waitFor(() => received.length >= count && received.slice(0, count), `${count} messages`, timeoutMs),
  };
}

export interface ActionCableClient {
  readonly consumer: import('@rails/actioncable').Consumer;
  subscribe(params: Record<string, unknown>): { subscription: import('@rails/actioncable').Subscription; recorder: Recorder };
  close(): void;
}

/**
 * A `@rails/actioncable` consumer; `headers` stand in for the cookies a browser would send, `ca` is the
 * certificate a wss:// server is trusted by.
 */
export function actionCableClient(url: string, headers: Record<string, string> = {}, ca?: Buffer): ActionCableClient {
  clientCounter += 1;
  const separator = url.includes('?') ? '&' : '?';
  const uniqueUrl = `${url}${separator}client=${clientCounter}`;
  optionsByUrl.set(uniqueUrl, { headers, ca });
  const consumer = ActionCable.createConsumer(uniqueUrl);
  return {
    consumer,
    subscribe(params) {
      const record = recorder();
      const subscription = consumer.subscriptions.create(params as never, record.callbacks);
      return { subscription, recorder: record };
    },
    close() {
      consumer.disconnect();
      optionsByUrl.delete(uniqueUrl);
    },
  };
}

type CableOptions = Partial<import('@anycable/core').CreateOptions<import('@anycable/core').ProtocolID>>;

/**
 * An `@anycable/web` cable on the `ws` package, quiet (its logger would print every expected rejection).
 * The libraries are ES modules compiled for jest, so they are loaded on first use.
 */
export function anycableCable(url: string, options: CableOptions = {}): import('@anycable/core').Cable {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const web = require('@anycable/web') as typeof import('@anycable/web');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { NoopLogger } = require('@anycable/core') as typeof import('@anycable/core');
  return web.createCable(url, { websocketImplementation: WebSocket, logger: new NoopLogger(), ...options });
}

export interface RawClientOptions {
  readonly protocols?: string[];
  readonly headers?: Record<string, string>;
  /** The certificate a wss:// server is trusted by. */
  readonly ca?: Buffer;
}

/** A raw client: sends any frame, records every frame and the close. */
export class RawClient {
  readonly frames: string[] = [];
  readonly errors: Error[] = [];
  closeCode: number | null = null;
  closeReason = '';
  readonly ws: WebSocket;
  readonly opened: Promise<void>;
  readonly closed: Promise<number>;

  constructor(url: string, options: RawClientOptions = {}) {
    this.ws = new WebSocket(url, options.protocols ?? ['actioncable-v1-json', 'actioncable-unsupported'], {
      headers: options.headers ?? {},
      ca: options.ca,
    });
    this.ws.on('message', (data) => this.frames.push(data.toString()));
    this.ws.on('error', (error) => this.errors.push(error));
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
      this.ws.once('unexpected-response', (_request, response) => reject(new Error(`HTTP ${response.statusCode}`)));
    });
    this.closed = new Promise((resolve) => {
      this.ws.once('close', (code, reason) => {
        this.closeCode = code;
        this.closeReason = reason.toString();
        resolve(code);
      });
    });
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Frames parsed as JSON, pings left out. */
  messages(): Array<Record<string, unknown>> {
    return this.frames.map((frame) => JSON.parse(frame) as Record<string, unknown>).filter((frame) => frame.type !== 'ping');
  }

  /** Waits for a non-ping frame matching `predicate`. */
  next(
    predicate: (frame: Record<string, unknown>) => boolean,
    what = 'a matching frame',
    timeoutMs = 10_000,
  ): Promise<Record<string, unknown>> {
    return waitFor(() => this.messages().find(predicate), what, timeoutMs);
  }

  welcome(): Promise<Record<string, unknown>> {
    return this.next((frame) => frame.type === 'welcome', 'welcome');
  }

  close(): void {
    this.ws.close();
  }
}

/** Opens a raw client and waits for the open event. */
export async function rawClient(url: string, options: RawClientOptions = {}): Promise<RawClient> {
  const client = new RawClient(url, options);
  await client.opened;
  return client;
}

/** The identifier of a public `$pubsub` subscription to `stream`. */
export const pubsubIdentifier = (stream: string): string => JSON.stringify({ channel: '$pubsub', stream_name: stream });

/** A raw client on `url`, welcomed and confirmed on the public `$pubsub` stream `stream`. */
export async function pubsubSubscriber(url: string, stream: string, headers: Record<string, string> = {}): Promise<RawClient> {
  const client = await rawClient(url, { headers });
  await client.welcome();
  client.send({ command: 'subscribe', identifier: pubsubIdentifier(stream) });
  await client.next((frame) => frame.type === 'confirm_subscription');
  return client;
}

/**
 * Cuts an `@anycable/web` cable's TCP connection without a WebSocket close frame, as a lost network does:
 * the server sees the socket drop (1006) and the client's own reconnect logic takes over.
 */
export function dropConnection(cable: import('@anycable/core').Cable): void {
  const transport = (cable as unknown as { transport: { ws?: { _socket?: { destroy(): void } } } }).transport;
  const socket = transport.ws?._socket;
  if (!socket) throw new Error('the cable has no open socket to drop');
  socket.destroy();
}

/** The frames an extended-protocol client speaks, for raw clients. */
export const EXTENDED_PROTOCOLS = ['actioncable-v1-ext-json'];
