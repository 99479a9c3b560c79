import type { Logger } from '../../../shared/src/logger';
import { Metrics } from '../../../shared/src/metrics';
import type { BroadcastBus } from '../../../broadcaster/src/bus';
import { createBroadcastBus } from '../../../broadcaster/src/create-bus';
import type { Identifier } from '../auth/identifier';
import { JwtIdentifier, jwtHeaderFor, tokenHeaderName } from '../auth/jwt';
import { NoauthIdentifier } from '../auth/noauth';
import { IdentifierPipeline } from '../auth/pipeline';
import type { Disconnector, RequestEnv } from '../core/controller';
import { NoRpcController } from '../channels/no-rpc';
import { ChannelRouter } from '../channels/router';
import { signedStreamChannels } from '../channels/signed-streams';
import type { Broker, MessageTarget } from '../broker/broker';
import { MemoryBroker } from '../broker/memory';
import { RedisBroker } from '../broker/redis';
import type { GatewayConfig } from '../config/config';
import { BROADCAST_ENCODERS } from '../hub/frame';
import { Hub } from '../hub/hub';
import { brokerCounters, type BrokerCounters } from '../metrics/broker';
import { rpcAvoidedCounters } from '../metrics/rpc-avoided';
import { Traffic } from '../metrics/traffic';
import { decodeCommand, type ClientCommand } from '../protocol/commands';
import { Close } from '../protocol/frames';
import { createRpc, type Rpc } from '../rpc/rpc';
import { Apps } from '../server/apps';
import type { BroadcastIntake, MetricsExposition } from '../server/http-routes';
import type { Handshake } from '../core/handshake';
import type { TemplatedApp } from '../server/uws';
import { clientMessageCounters } from '../session/client-messages';
import { CommandQueue } from '../session/command-queue';
import { HistoryReplay } from '../session/history-replay';
import { SessionKeeper } from '../session/keeper';
import { PresenceTracker } from '../session/presence';
import { CommandProcessor } from '../session/commands';
import { Connector, RESTORE_SID_HEADER } from '../session/connector';
import { requestEnvOf } from '../session/env';
import { Keepalive } from '../session/keepalive';
import { NativePings } from '../session/native-pings';
import { SessionManager } from '../session/manager';
import { SessionRegistry } from '../session/registry';
import type { Session } from '../session/session';
import { SlowClientSweeper } from '../session/slow-clients';

/** What the node of a worker thread takes from the primary instead of building it. */
export interface NodeSeams {
  /** The worker's own registry, without process metrics (the primary has those). */
  readonly metrics: Metrics;
  readonly bus: BroadcastBus;
  readonly intake: BroadcastIntake | null;
  /** The metrics of the whole node, aggregated across workers. */
  readonly exposition: MetricsExposition;
}

/** Every part of a node, built and connected, nothing started. */
export interface NodeParts {
  readonly metrics: Metrics;
  /** What the Prometheus endpoint serves. */
  readonly exposition: MetricsExposition;
  readonly traffic: Traffic;
  readonly apps: Apps;
  /** The app serving WebSockets and health; its topics carry every broadcast and ping. */
  readonly main: TemplatedApp;
  readonly bus: BroadcastBus;
  /** The POST /_broadcast endpoint to mount, when the http input is on. */
  readonly intake: BroadcastIntake | null;
  readonly registry: SessionRegistry;
  readonly keepalive: Keepalive;
  readonly hub: Hub;
  readonly broker: Broker | null;
  /** Where the bus hands messages: through the broker, when there is one, to the hub. */
  readonly delivery: MessageTarget;
  readonly rpc: Rpc | null;
  readonly connector: Connector;
  readonly manager: SessionManager;
  readonly commands: CommandQueue<Session, ClientCommand>;
  readonly presence: PresenceTracker;
  readonly sweeper: SlowClientSweeper;
  readonly nativePings: NativePings | null;
}

/** With no RPC server there is nothing to tell of a disconnect. */
const NO_DISCONNECTS: Disconnector = { disconnect: async () => undefined };

function identifierPipeline(config: GatewayConfig, logger: Logger): IdentifierPipeline {
  const identifiers: Identifier[] = [];
  if (config.auth.jwt) identifiers.push(new JwtIdentifier(config.auth.jwt, logger));
  if (config.auth.noauth) identifiers.push(new NoauthIdentifier());
  return new IdentifierPipeline(identifiers);
}

/** The request headers a session's handshake keeps: those its RPC env, its token and its restore read. */
export function handshakeHeaderNames(config: GatewayConfig): string[] {
  const jwt = config.auth.jwt;
  return [...config.rpc.headers, RESTORE_SID_HEADER, ...(jwt ? [tokenHeaderName(jwt.param)] : [])];
}

function requestEnvBuilder(config: GatewayConfig): (handshake: Handshake) => RequestEnv {
  const jwt = config.auth.jwt;
  return (handshake) =>
    requestEnvOf(handshake, config.rpc.headers, jwt ? jwtHeaderFor(handshake, jwt.param) : null, config.proxyCookies);
}

export function createBroker(config: GatewayConfig, logger: Logger, counters: BrokerCounters): Broker | null {
  switch (config.broker.kind) {
    case 'none':
      return null;
    case 'memory':
      return new MemoryBroker(config.broker, counters);
    case 'redis':
      return new RedisBroker(config.broker, config.broadcast.redis!, counters, logger.child({ component: 'broker' }));
  }
}

/** The node's broadcast bus; with a broker that positions, publications get their offsets before the pub/sub. */
export function createNodeBus(config: GatewayConfig, logger: Logger, metrics: Metrics, broker: Broker | null): BroadcastBus {
  return createBroadcastBus(config.broadcast, {
    logger: logger.child({ component: 'broadcast' }),
    metrics,
    nodeId: config.nodeId,
    ...(broker?.positioner ? { positioner: broker.positioner } : {}),
  });
}

/**
 * The only place where the rooms meet: builds a node's parts from its config. A worker thread's node
 * (`seams`) serves the WebSocket port alone and broadcasts through the primary.
 */
export function wireNode(config: GatewayConfig, logger: Logger, seams: NodeSeams | null = null): NodeParts {
  const metrics = seams?.metrics ?? new Metrics(config.metrics.prefix, config.metrics.tags);
  if (!seams) metrics.collectProcessMetrics();
  const avoided = rpcAvoidedCounters(metrics);
  const traffic = new Traffic(metrics);
  const apps = new Apps(
    config.server.host,
    config.server.port,
    config.server.tls,
    logger.child({ component: 'http' }),
    seams ? 'main' : 'all',
  );
  const main = apps.main;
  const publisher = { publish: (topic: string, frame: string) => void main.publish(topic, frame, false, false) };

  const broker = createBroker(config, logger, brokerCounters(metrics));
  const bus = seams?.bus ?? createNodeBus(config, logger, metrics, broker);
  const registry = new SessionRegistry();
  const nativePings = config.pong.nativePings
    ? new NativePings(
        () => registry.all(),
        config.pong.timeoutSec * 1000,
        (session) => manager.disconnect(session, 'no_pong', Close.noPong),
      )
    : null;
  const keepalive = new Keepalive(
    publisher,
    config.ping.intervalSec,
    config.ping.precision,
    traffic,
    nativePings && ((topic) => nativePings.pinged(topic)),
  );
  const listener = broker
    ? {
        subscribe: (stream: string) => {
          broker.streamOpened(stream);
          return bus.subscribe(stream);
        },
        unsubscribe: (stream: string) => {
          bus.unsubscribe(stream);
          broker.streamClosed(stream);
        },
      }
    : bus;
  const hub = new Hub(publisher, listener, (sid) => registry.find(sid)?.connection, BROADCAST_ENCODERS, traffic, metrics);

  const delivery = broker ? broker.deliveryTo(hub) : hub;
  const keeper = broker?.sessions ? new SessionKeeper(broker.sessions, logger.child({ component: 'sessions' })) : null;

  const rpc = config.rpc.enabled ? createRpc(config, metrics, logger.child({ component: 'rpc' })) : null;
  const localChannels = signedStreamChannels(config.streams, logger.child({ component: 'streams' }));
  const router = new ChannelRouter(localChannels, rpc?.controller ?? new NoRpcController(), avoided);
  const connector = new Connector(
    identifierPipeline(config, logger),
    rpc?.controller ?? null,
    requestEnvBuilder(config),
    avoided,
    keeper,
    logger,
    metrics,
  );

  const presence = new PresenceTracker(
    broker?.presence ?? null,
    bus,
    config.broker.presenceTtlSec,
    logger.child({ component: 'presence' }),
    metrics,
  );
  const manager = new SessionManager(
    registry,
    hub,
    connector,
    keepalive,
    rpc?.disconnects ?? NO_DISCONNECTS,
    { mode: config.disconnect.mode, rpcEnabled: rpc !== null },
    avoided,
    keeper,
    presence,
    logger,
    metrics,
  );
  const messageCounters = clientMessageCounters(metrics);
  const replay = new HistoryReplay(broker?.history ?? null, hub, logger, metrics);
  const processor = new CommandProcessor(router, hub, bus, replay, presence, keeper, messageCounters, logger);
  const commands = new CommandQueue(
    processor,
    decodeCommand,
    (session: Session) => manager.finish(session),
    messageCounters,
    logger,
  );
  const sweeper = new SlowClientSweeper(
    () => registry.all(),
    config.server.maxPendingSize,
    (session) => manager.disconnect(session, 'too_slow', Close.normal),
    metrics,
  );
  return {
    metrics,
    exposition: seams?.exposition ?? metrics,
    traffic,
    apps,
    main,
    bus,
    intake: seams ? seams.intake : bus.httpEndpoint,
    registry,
    keepalive,
    hub,
    broker,
    delivery,
    rpc,
    connector,
    manager,
    commands,
    presence,
    sweeper,
    nativePings,
  };
}
