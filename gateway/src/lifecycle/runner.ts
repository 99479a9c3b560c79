import type { Logger } from '../../../shared/src/logger';
import type { GatewayConfig } from '../config/config';
import { Close } from '../protocol/frames';
import { mountBroadcast, mountHealth, mountMetrics, mountNotFound } from '../server/http-routes';
import { createUpgradeHandler } from '../server/upgrade';
import { createWebSocketBehavior, routePattern } from '../server/websocket';
import { logStartup } from './startup-log';
import { wireNode, type NodeParts } from './wiring';

/** Runs a node: mounts its endpoints, starts it, and shuts it down in the order its parts depend on. */
export class Runner {
  private draining = false;

  private constructor(
    private readonly config: GatewayConfig,
    private readonly logger: Logger,
    private readonly node: NodeParts,
  ) {}

  static async start(config: GatewayConfig, logger: Logger): Promise<Runner> {
    const runner = new Runner(config, logger, wireNode(config, logger));
    runner.mount();
    const { bus, delivery, broker, presence, manager, apps, keepalive, sweeper } = runner.node;
    broker?.start();
    presence.start();
    await bus.start({ deliver: (message) => delivery.broadcast(message), execute: (command) => manager.execute(command) });
    await apps.listenAll();
    keepalive.start();
    sweeper.start();
    logStartup(config, logger);
    return runner;
  }

  /**
   * Graceful shutdown, bounded by shutdown_timeout: stop accepting, tell every client to reconnect
   * elsewhere (server_restart, close 1001), make the Disconnect calls, then stop broadcasting and RPC.
   */
  async shutdown(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    const { apps, keepalive, sweeper, manager, rpc, bus } = this.node;
    const deadline = Date.now() + this.config.shutdown.timeoutSec * 1000;
    this.logger.info('shutting down', { timeout_s: this.config.shutdown.timeoutSec, delay_s: this.config.shutdown.delaySec });
    if (this.config.shutdown.delaySec > 0) {
      // Health answers 503 meanwhile, so load balancers stop sending new clients here first.
      await new Promise((resolve) => setTimeout(resolve, this.config.shutdown.delaySec * 1000));
    }
    apps.stopListening();
    keepalive.stop();
    sweeper.stop();
    const sessions = [...manager.sessions()];
    for (const session of sessions) manager.disconnect(session, 'server_restart', Close.serverRestart);
    this.logger.info('clients disconnected', { count: sessions.length });
    // Disconnect calls need the RPC channel, and broadcasts in flight need the bus: RPC drains first.
    await rpc?.shutdown(deadline);
    await bus.shutdown();
    this.node.presence.stop();
    this.node.broker?.stop();
    this.logger.info('shutdown complete');
  }

  private mount(): void {
    const { config, logger } = this;
    const { main, apps, bus, broker, registry, connector, keepalive, manager, commands, traffic, metrics } = this.node;
    const draining = () => this.draining;
    const upgrade = createUpgradeHandler(
      {
        allowedOrigins: config.server.allowedOrigins,
        maxConn: config.server.maxConn,
        openConnections: () => registry.size,
        draining,
      },
      connector,
      keepalive,
    );
    const host = {
      open: manager.open.bind(manager),
      receive: commands.receive.bind(commands),
      closed: manager.closed.bind(manager),
    };
    const behavior = createWebSocketBehavior(host, config.server, upgrade, traffic, logger, metrics);
    for (const path of config.server.paths) main.ws(routePattern(path), behavior);
    const redisDown = () => bus.health().redis === 'down' || broker?.connected() === false;
    mountHealth(main, config.server.healthPath, { draining, degraded: () => (redisDown() ? 'redis' : null) });
    if (bus.httpEndpoint) mountBroadcast(apps.appFor(config.server.host, bus.httpEndpoint.port), bus.httpEndpoint);
    if (config.metrics.path)
      mountMetrics(apps.appFor(config.metrics.host, config.metrics.port), config.metrics.path, metrics, logger);
    for (const app of apps.all()) mountNotFound(app);
  }
}
