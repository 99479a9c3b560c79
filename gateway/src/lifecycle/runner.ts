import type { Logger } from '../../../shared/src/logger';
import type { GatewayConfig } from '../config/config';
import { Close } from '../protocol/frames';
import { createUpgradeHandler } from '../server/upgrade';
import { SocketAdmission } from '../server/socket-admission';
import { createWebSocketBehavior, routePattern } from '../server/websocket';
import type { Session } from '../session/session';
import { drainSlowly, planSlowDrain } from './slow-drain';
import { logStartup } from './startup-log';
import { degradedTransports, mountEndpoints } from './endpoints';
import { handshakeHeaderNames, wireNode, type NodeParts, type NodeSeams } from './wiring';

/** Runs a node: mounts its endpoints, starts it, and shuts it down in the order its parts depend on. */
export class Runner {
  private draining = false;

  private constructor(
    private readonly config: GatewayConfig,
    private readonly logger: Logger,
    private readonly node: NodeParts,
  ) {}

  /** Starts a node; with `seams`, the node of a worker thread (the primary logs the startup lines). */
  static async start(config: GatewayConfig, logger: Logger, seams: NodeSeams | null = null): Promise<Runner> {
    const runner = new Runner(config, logger, wireNode(config, logger, seams));
    runner.mount();
    const { bus, delivery, broker, presence, manager, apps, keepalive, sweeper, nativePings } = runner.node;
    await broker?.start();
    presence.start();
    await bus.start({ deliver: (message) => delivery.broadcast(message), execute: (command) => manager.execute(command) });
    await apps.listenAll();
    keepalive.start();
    sweeper.start();
    nativePings?.start();
    if (!seams) logStartup(config, logger);
    return runner;
  }

  /** Closes every socket at once, with no close frame: the last step of a worker that failed or stopped. */
  abort(): void {
    this.node.apps.closeAll();
  }

  /**
   * Graceful shutdown, bounded by shutdown_timeout: stop accepting, tell every client to reconnect
   * elsewhere (server_restart, close 1001), make the Disconnect calls, then stop broadcasting and RPC.
   */
  async shutdown(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    const { apps, keepalive, sweeper, nativePings, rpc, bus } = this.node;
    const deadline = Date.now() + this.config.shutdown.timeoutSec * 1000;
    this.logger.info('shutting down', { timeout_s: this.config.shutdown.timeoutSec, delay_s: this.config.shutdown.delaySec });
    if (this.config.shutdown.delaySec > 0) {
      // Health answers 503 meanwhile, so load balancers stop sending new clients here first.
      await new Promise((resolve) => setTimeout(resolve, this.config.shutdown.delaySec * 1000));
    }
    apps.stopListening();
    await this.disconnectClients(deadline);
    keepalive.stop();
    sweeper.stop();
    nativePings?.stop();
    // Disconnect calls need the RPC channel, and broadcasts in flight need the bus: RPC drains first.
    await rpc?.shutdown(deadline);
    await bus.shutdown();
    this.node.presence.stop();
    this.node.broker?.stop();
    this.logger.info('shutdown complete');
  }

  /**
   * Sends every client server_restart, at once (anycable-go's default) or, with shutdown_slowdrain, spread
   * over the shutdown window, so that a rolling deploy does not move every client at the same second.
   * Clients waiting for their turn keep being pinged and served.
   */
  private async disconnectClients(deadline: number): Promise<void> {
    const { manager } = this.node;
    const sessions = [...manager.sessions()];
    const disconnect = (session: Session) => {
      if (!session.closed) manager.disconnect(session, 'server_restart', Close.serverRestart);
    };
    const maxIntervalMs = this.config.shutdown.slowDrainMaxIntervalMs;
    if (maxIntervalMs === null) {
      sessions.forEach(disconnect);
    } else {
      const plan = planSlowDrain(sessions.length, deadline - Date.now(), maxIntervalMs);
      this.logger.info(`Draining ${sessions.length} active connections slowly for ${(plan.windowMs / 1000).toFixed(1)}s`);
      await drainSlowly(sessions, plan, disconnect);
    }
    this.logger.info('clients disconnected', { count: sessions.length });
  }

  private mount(): void {
    const { config, logger } = this;
    const { main, apps, bus, broker, registry, connector, keepalive, manager, commands, traffic, metrics, nativePings } =
      this.node;
    const draining = () => this.draining;
    const host = {
      open: manager.open.bind(manager),
      receive: nativePings
        ? (session: Session, frame: string) => {
            nativePings.answered(session);
            commands.receive(session, frame);
          }
        : commands.receive.bind(commands),
      ponged: (session: Session) => nativePings?.answered(session),
      closed: manager.closed.bind(manager),
    };
    const admission = new SocketAdmission(connector, host, logger);
    const upgrade = createUpgradeHandler(
      {
        allowedOrigins: config.server.allowedOrigins,
        headerNames: handshakeHeaderNames(config),
        maxConn: config.server.maxConn,
        openConnections: () => registry.size + admission.pending,
        draining,
        secure: config.server.tls !== null,
      },
      keepalive,
    );
    const behavior = createWebSocketBehavior(host, config.server, upgrade, admission, traffic, logger, metrics);
    for (const path of config.server.paths) main.ws(routePattern(path), behavior);
    mountEndpoints(apps, config, {
      intake: this.node.intake,
      exposition: this.node.exposition,
      health: { draining, degraded: () => degradedTransports(bus, broker) },
    });
  }
}
