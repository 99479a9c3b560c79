import type { MessagePort } from 'node:worker_threads';
import { prometheusContentType } from 'prom-client';
import type { StreamMessage } from '../../../shared/src/publication';
import type { BroadcastBus, BusHealth, DeliveryHandler } from '../../../broadcaster/src/bus';
import type { BroadcastIntake, MetricsExposition } from '../server/http-routes';
import type { PrimaryMessage, WorkerMessage, WorkerMetrics, WorkerStart } from './messages';
import { Replies } from './replies';

/** Long enough for the primary to collect every worker's registry. */
const SCRAPE_TIMEOUT_MS = 5_000;
/** A broadcast the primary does not answer in time was not taken. */
const BROADCAST_TIMEOUT_MS = 5_000;

/**
 * A worker thread's view of broadcasting: the primary holds the node's inputs, pub/sub and Redis
 * connections; this bus asks it for the streams the worker serves and hands their messages on. It also
 * carries what the worker's main port receives for the whole node: broadcasts and scrapes.
 */
export class WorkerBus implements BroadcastBus {
  /** The worker mounts `intake` instead: the http input's answers come from the primary. */
  readonly httpEndpoint = null;
  readonly intake: BroadcastIntake | null;
  readonly exposition: MetricsExposition;
  private handler: DeliveryHandler | null = null;
  private degraded: readonly string[];
  /** Subscribes waiting for the primary's acknowledgement, by stream. */
  private readonly listening = new Map<string, (() => void)[]>();
  private readonly broadcasts = new Replies<number>(BROADCAST_TIMEOUT_MS, 503);
  private readonly scrapes = new Replies<string | null>(SCRAPE_TIMEOUT_MS, null);

  constructor(
    private readonly port: MessagePort,
    start: WorkerStart,
    /** This worker's own registry, sent when the primary collects. */
    private readonly collect: () => Promise<WorkerMetrics>,
  ) {
    this.degraded = start.degraded;
    this.intake = start.intake && {
      ...start.intake,
      refusesUnread: () => false,
      handle: (authorization, body) =>
        this.broadcasts.request((id) => this.post({ type: 'broadcast', id, authorization, body: new Uint8Array(body) })),
    };
    this.exposition = {
      contentType: prometheusContentType,
      render: async () => {
        const text = await this.scrapes.request((id) => this.post({ type: 'scrape', id }));
        if (text === null) throw new Error('the node did not answer the scrape');
        return text;
      },
    };
  }

  start(handler: DeliveryHandler): Promise<void> {
    this.handler = handler;
    return Promise.resolve();
  }

  subscribe(stream: string): Promise<void> {
    return new Promise((resolve) => {
      const waiting = this.listening.get(stream);
      if (waiting) waiting.push(resolve);
      else this.listening.set(stream, [resolve]);
      this.post({ type: 'subscribe', stream });
    });
  }

  unsubscribe(stream: string): void {
    this.post({ type: 'unsubscribe', stream });
  }

  publish(message: StreamMessage): void {
    this.post({ type: 'publish', message });
  }

  health(): BusHealth {
    return { degraded: this.degraded };
  }

  /** The primary shuts the inputs down once every worker has stopped. */
  shutdown(): Promise<void> {
    return Promise.resolve();
  }

  /** Everything the primary sends; the worker's own lifecycle is left to `control`. */
  receive(message: PrimaryMessage, control: { shutdown(): void; abort(): void }): void {
    switch (message.type) {
      case 'deliver':
        for (const delivered of message.messages) this.handler?.deliver(delivered);
        return;
      case 'execute':
        return this.handler?.execute(message.command);
      case 'subscribed': {
        const waiting = this.listening.get(message.stream) ?? [];
        this.listening.delete(message.stream);
        for (const resolve of waiting) resolve();
        return;
      }
      case 'health':
        this.degraded = message.degraded;
        return;
      case 'broadcast-status':
        return this.broadcasts.settle(message.id, message.status);
      case 'scrape-text':
        return this.scrapes.settle(message.id, message.text);
      case 'collect':
        void this.collect().then((metrics) => this.post({ type: 'metrics', id: message.id, metrics }));
        return;
      case 'shutdown':
        return control.shutdown();
      case 'abort':
        return control.abort();
    }
  }

  private post(message: WorkerMessage): void {
    this.port.postMessage(message);
  }
}
