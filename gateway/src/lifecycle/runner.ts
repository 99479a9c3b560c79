import type { Logger } from '../../../shared/src/logger';
import { Metrics } from '../../../shared/src/metrics';
import type { BroadcastBus } from '../../../broadcaster/src/bus';
import { createBroadcastBus } from '../../../broadcaster/src/create-bus';
import type { Identifier } from '../auth/identifier';
import { JwtIdentifier, jwtHeaderFor } from '../auth/jwt';
import { NoauthIdentifier } from '../auth/noauth';
import { IdentifierPipeline } from '../auth/pipeline';
import type { Controller, Disconnector } from '../channels/controller';
import { NoRpcController } from '../channels/no-rpc';
import { ChannelRouter } from '../channels/router';
import { signedStreamChannels } from '../channels/signed-streams';
import type { GatewayConfig } from '../config/config';
import { Hub } from '../hub/hub';
import { rpcAvoidedCounters } from '../metrics/rpc-avoided';
import { Traffic } from '../metrics/traffic';
import { createRpc, type Rpc } from '../rpc/rpc';
import { Apps } from '../server/apps';
import { mountBroadcast, mountHealth, mountMetrics, mountNotFound } from '../server/http-routes';
import { createUpgradeHandler } from '../server/upgrade';
import { createWebSocketBehavior } from '../server/websocket';
import { CommandProcessor } from '../session/commands';
import { Connector } from '../session/connector';
import { requestEnvOf } from '../session/env';
import { Keepalive } from '../session/keepalive';
import { SessionManager } from '../session/manager';
import { SessionRegistry } from '../session/registry';
import { SlowClientSweeper } from '../session/slow-clients';
import { logStartup } from './startup-log';
import { Close } from '../protocol/frames';

/** A Disconnector for nodes without RPC: nothing to tell. */
const NO_DISCONNECTS: Disconnector = { disconnect: async () => undefined };

/**
 * Builds a node from its config and runs it. This is the only place that wires the rooms together; the
 * shutdown order is the reverse of what depends on what.
 */
export class Runner {
  private draining = false;

  private constructor(
    private readonly config: GatewayConfig,
    private readonly logger: Logger,
    private readonly apps: Apps,
    private readonly bus: BroadcastBus,
    private readonly rpc: Rpc | null,
    private readonly manager: SessionManager,
    private readonly keepalive: Keepalive,
    private readonly sweeper: SlowClientSweeper,
    readonly metrics: Metrics,
  ) {}

  static async start(config: GatewayConfig, logger: Logger): Promise<Runner> {
    const metrics = new Metrics(config.metrics.prefix);
    metrics.collectProcessMetrics();
    const avoided = rpcAvoidedCounters(metrics);
    const traffic = new Traffic(metrics);
    const apps = new Apps();
    const main = apps.appFor(config.server.host, config.server.port);
    const publisher = { publish: (topic: string, frame: string) => void main.publish(topic, frame, false, false) };

    const bus = createBroadcastBus(config.broadcast, { logger: logger.child({ component: 'broadcast' }), metrics, nodeId: config.nodeId });
    const registry = new SessionRegistry();
    const keepalive = new Keepalive(publisher, config.ping.intervalSec, config.ping.precision, traffic);
    const hub = new Hub(publisher, bus, (sid) => registry.find(sid)?.connection, traffic, metrics);

    const rpc = config.rpc.enabled ? createRpc(config, metrics, logger.child({ component: 'rpc' })) : null;
    const remote: Controller = rpc ? rpc.controller : new NoRpcController();
    const router = new ChannelRouter(signedStreamChannels(config.streams, logger.child({ component: 'streams' })), remote, avoided);

    const identifiers: Identifier[] = [];
    const jwt = config.auth.jwt ? new JwtIdentifier(config.auth.jwt, logger) : null;
    if (jwt) identifiers.push(jwt);
    if (config.auth.noauth) identifiers.push(new NoauthIdentifier());
    const envOf = config.auth.jwt
      ? (handshake: Parameters<typeof requestEnvOf>[0]) => requestEnvOf(handshake, config.rpc.headers, jwtHeaderFor(handshake, config.auth.jwt!.param))
      : (handshake: Parameters<typeof requestEnvOf>[0]) => requestEnvOf(handshake, config.rpc.headers, null);
    const connector = new Connector(new IdentifierPipeline(identifiers), rpc?.controller ?? null, envOf, avoided, logger, metrics);

    const manager = new SessionManager(
      registry,
      hub,
      connector,
      keepalive,
      rpc?.disconnects ?? NO_DISCONNECTS,
      { mode: config.disconnect.mode, rpcEnabled: rpc !== null },
      avoided,
      logger,
      metrics,
    );
    const processor = new CommandProcessor(router, hub, bus, (session) => manager.finish(session), logger, metrics);
    const sweeper = new SlowClientSweeper(
      () => registry.all(),
      config.server.maxPendingSize,
      (session) => manager.disconnect(session, 'too_slow', Close.normal),
      metrics,
    );

    let runner: Runner | null = null;
    const draining = () => runner?.draining ?? false;
    const upgrade = createUpgradeHandler(
      { allowedOrigins: config.server.allowedOrigins, maxConn: config.server.maxConn, openConnections: () => registry.size, draining },
      connector,
      keepalive,
    );
    const behavior = createWebSocketBehavior(
      { open: (connection, admission, pingTopic) => manager.open(connection, admission, pingTopic), receive: (session, frame) => processor.receive(session, frame), closed: (session) => manager.closed(session) },
      config.server,
      upgrade,
      traffic,
      logger,
      metrics,
    );
    for (const path of config.server.paths) main.ws(path, behavior);
    mountHealth(main, config.server.healthPath, { draining, degraded: () => (bus.health().redis === 'down' ? 'redis' : null) });
    if (bus.httpEndpoint) mountBroadcast(apps.appFor(config.server.host, bus.httpEndpoint.port), bus.httpEndpoint);
    if (config.metrics.path) mountMetrics(apps.appFor(config.metrics.host, config.metrics.port), config.metrics.path, metrics, logger);
    mountNotFound(main);

    await bus.start({ deliver: (message) => hub.broadcast(message), execute: (command) => manager.execute(command) });
    await apps.listenAll();
    keepalive.start();
    sweeper.start();
    runner = new Runner(config, logger, apps, bus, rpc, manager, keepalive, sweeper, metrics);
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
    const deadline = Date.now() + this.config.shutdown.timeoutSec * 1000;
    this.logger.info('shutting down', { timeout_s: this.config.shutdown.timeoutSec, delay_s: this.config.shutdown.delaySec });
    if (this.config.shutdown.delaySec > 0) {
      // Health answers 503 meanwhile, so load balancers stop sending new clients here first.
      await new Promise((resolve) => setTimeout(resolve, this.config.shutdown.delaySec * 1000));
    }
    this.apps.stopListening();
    this.keepalive.stop();
    this.sweeper.stop();
    let disconnected = 0;
    for (const session of [...this.manager.sessions()]) {
      this.manager.disconnect(session, 'server_restart', Close.serverRestart);
      disconnected += 1;
    }
    this.logger.info('clients disconnected', { count: disconnected });
    // Disconnect calls need the RPC channel, and broadcasts in flight need the bus: RPC drains first.
    await this.rpc?.shutdown(deadline);
    await this.bus.shutdown();
    this.logger.info('shutdown complete');
  }
}
