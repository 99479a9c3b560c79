import { createServer } from 'node:net';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { errorMessage } from '../../../shared/src/errors';
import type { Logger } from '../../../shared/src/logger';
import { Metrics } from '../../../shared/src/metrics';
import type { BroadcastBus } from '../../../broadcaster/src/bus';
import type { Broker } from '../broker/broker';
import type { GatewayConfig } from '../config/config';
import { degradedTransports, mountEndpoints } from '../lifecycle/endpoints';
import { logStartup } from '../lifecycle/startup-log';
import { createBroker, createNodeBus } from '../lifecycle/wiring';
import { brokerCounters } from '../metrics/broker';
import { Apps } from '../server/apps';
import { listenFailed } from '../server/listen';
import type { PrimaryMessage, WorkerMessage, WorkerStart } from './messages';
import { NodeScrape } from './node-scrape';
import { StreamRouting } from './stream-routing';
import { WorkerHandle } from './worker-handle';

const WORKER_ENTRY = join(__dirname, 'worker-main.js');
/** A worker that failed is started again after this pause, so a worker failing at start cannot spin. */
const RESTART_DELAY_MS = 1_000;
/** How often the node's transport health is checked, to tell the workers when it changes. */
const HEALTH_INTERVAL_MS = 1_000;
/** How long an abort waits for the workers to close their sockets. */
const ABORT_WAIT_MS = 1_000;
/** The port every worker shares: the configured one, checked free, or a free one for port 0. */
function freeMainPort(host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', () => reject(listenFailed(host, port)));
    probe.listen({ host, port, exclusive: true }, () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : port));
    });
  });
}

/**
 * The primary of a node with --workers: each worker thread is a full gateway for the connections the
 * kernel hands it on the shared WebSocket port (SO_REUSEPORT), while the primary holds what the node has
 * once: the broadcast inputs, the node-to-node pub/sub and their Redis or NATS connections, the other
 * ports (broadcasts, metrics, health), and the process metrics. A publication enters once and is posted
 * to each worker serving its stream; a scrape sums every worker's registry. A worker that fails is
 * started again; its clients reconnect to the others meanwhile.
 */
export class Primary {
  private readonly workers: (WorkerHandle | null)[];
  private readonly routing: StreamRouting;
  private readonly scrape: NodeScrape;
  private degraded: readonly string[] = [];
  private healthTimer: NodeJS.Timeout | null = null;
  private stopping = false;

  private constructor(
    private readonly config: GatewayConfig,
    private readonly start: Omit<WorkerStart, 'index' | 'degraded'>,
    private readonly logger: Logger,
    metrics: Metrics,
    private readonly bus: BroadcastBus,
    private readonly broker: Broker | null,
    private readonly apps: Apps,
  ) {
    this.workers = Array.from({ length: config.server.workers }, () => null);
    this.routing = new StreamRouting(bus);
    this.scrape = new NodeScrape(metrics, () => this.live());
    metrics.gauge('workers_num', 'Worker threads serving WebSockets', () => this.live().length);
  }

  static async start(
    config: GatewayConfig,
    commandLine: { argv: readonly string[]; env: Readonly<Record<string, string | undefined>> },
    logger: Logger,
  ): Promise<Primary> {
    const metrics = new Metrics(config.metrics.prefix, config.metrics.tags);
    metrics.collectProcessMetrics();
    const broker = createBroker(config, logger, brokerCounters(metrics));
    const bus = createNodeBus(config, logger, metrics, broker);
    const apps = new Apps(
      config.server.host,
      config.server.port,
      config.server.tls,
      logger.child({ component: 'http' }),
      'others',
    );
    const port = await freeMainPort(config.server.host, config.server.port);
    const endpoint = bus.httpEndpoint;
    const start = {
      ...commandLine,
      nodeId: config.nodeId,
      port,
      intake: endpoint && { port: endpoint.port, path: endpoint.path, maxBodySize: endpoint.maxBodySize },
    };
    const primary = new Primary(config, start, logger, metrics, bus, broker, apps);
    await primary.run(port);
    return primary;
  }

  /** Graceful shutdown: every worker drains its clients (slow drain included), then the inputs stop. */
  async shutdown(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    if (this.healthTimer) clearInterval(this.healthTimer);
    this.logger.info('shutting down workers', { workers: this.workers.length });
    const exited = this.allExited();
    this.postAll({ type: 'shutdown' });
    await exited;
    this.apps.stopListening();
    await this.bus.shutdown();
    this.broker?.stop();
    this.logger.info('shutdown complete');
  }

  /** Every worker closes its sockets at once and exits; resolves when they have, or after a second. */
  async abort(): Promise<void> {
    this.stopping = true;
    const exited = this.allExited();
    this.postAll({ type: 'abort' });
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, ABORT_WAIT_MS))]);
  }

  private allExited(): Promise<unknown> {
    return Promise.all(this.workers.map((worker) => worker && new Promise((resolve) => worker.thread.once('exit', resolve))));
  }

  private postAll(message: PrimaryMessage): void {
    for (const worker of this.workers) worker?.post(message);
  }

  private live(): WorkerHandle[] {
    return this.workers.filter((worker): worker is WorkerHandle => worker?.ready === true);
  }

  private async run(port: number): Promise<void> {
    await this.broker?.start();
    await this.bus.start({
      deliver: (message) => this.routing.deliver(message),
      execute: (command) => this.postAll({ type: 'execute', command }),
    });
    mountEndpoints(this.apps, this.config, {
      intake: this.bus.httpEndpoint,
      exposition: this.scrape,
      health: {
        draining: () => this.stopping,
        degraded: () => this.degraded,
      },
    });
    this.degraded = degradedTransports(this.bus, this.broker);
    this.healthTimer = setInterval(() => this.checkHealth(), HEALTH_INTERVAL_MS);
    this.healthTimer.unref();
    // The other ports first: a publisher may post as soon as the WebSocket port answers health.
    await this.apps.listenAll();
    await Promise.all(this.workers.map((_, index) => this.spawn(index)));
    logStartup({ ...this.config, server: { ...this.config.server, port } }, this.logger);
    this.logger.info(`${this.workers.length} worker threads share port ${port}`);
  }

  /** Starts worker `index`; resolves once it listens, rejects when it exits first. */
  private spawn(index: number): Promise<void> {
    const thread = new Worker(WORKER_ENTRY, {
      workerData: { ...this.start, index, degraded: this.degraded } satisfies WorkerStart,
    });
    const worker = new WorkerHandle(index, thread);
    this.workers[index] = worker;
    return new Promise((resolve, reject) => {
      thread.on('message', (message: WorkerMessage) => {
        if (message.type === 'ready') {
          worker.ready = true;
          resolve();
        } else this.receive(worker, message);
      });
      thread.on('error', (error) => this.logger.error('worker failed', { worker: index, error: errorMessage(error) }));
      thread.on('exit', (code) => {
        this.routing.forget(worker);
        this.scrape.forget(worker);
        if (!worker.ready) reject(new Error(`worker ${index} exited with code ${code} before it listened`));
        else if (!this.stopping) this.restart(index, code);
      });
    });
  }

  private restart(index: number, code: number): void {
    this.workers[index] = null;
    this.logger.error('worker exited: starting it again', { worker: index, code, delay_ms: RESTART_DELAY_MS });
    setTimeout(() => {
      if (this.stopping) return;
      this.spawn(index).catch((error: unknown) => {
        this.logger.error('worker could not start again', { worker: index, error: errorMessage(error) });
        if (!this.stopping) this.restart(index, -1);
      });
    }, RESTART_DELAY_MS).unref();
  }

  private receive(worker: WorkerHandle, message: Exclude<WorkerMessage, { type: 'ready' }>): void {
    switch (message.type) {
      case 'subscribe':
        return this.routing.subscribe(worker, message.stream);
      case 'unsubscribe':
        return this.routing.unsubscribe(worker, message.stream);
      case 'publish':
        return this.bus.publish(message.message);
      case 'broadcast':
        return this.takeBroadcast(worker, message.id, message.authorization, message.body);
      case 'scrape':
        return void this.scrape.render().then(
          (text) => worker.post({ type: 'scrape-text', id: message.id, text }),
          (error: unknown) => this.logger.error('metrics could not be collected', { error: errorMessage(error) }),
        );
      case 'metrics':
        return this.scrape.collectedFrom(message.id, message.metrics);
    }
  }

  private takeBroadcast(worker: WorkerHandle, id: number, authorization: string, body: Uint8Array): void {
    const endpoint = this.bus.httpEndpoint;
    const status = endpoint ? endpoint.handle(authorization, Buffer.from(body.buffer, body.byteOffset, body.byteLength)) : 404;
    worker.post({ type: 'broadcast-status', id, status });
  }

  private checkHealth(): void {
    const degraded = degradedTransports(this.bus, this.broker);
    if (degraded.join() === this.degraded.join()) return;
    this.degraded = degraded;
    this.postAll({ type: 'health', degraded });
  }
}
