import { errorMessage } from '../../shared/src/errors';
import { RateLimitedLog, type Logger } from '../../shared/src/logger';
import type { Metrics } from '../../shared/src/metrics';
import type { RemoteCommand, StreamMessage } from '../../shared/src/publication';
import type { BroadcastAdapter, PositioningTurn, StreamFollower } from './adapters/adapter';
import { ADAPTERS } from './adapters/registry';
import type { BroadcastBus, BusHealth, DeliveryHandler, HttpBroadcastEndpoint, MessagePositioner } from './bus';
import type { BusContext } from './context';
import { LocalDelivery } from './delivery';
import { degradedComponents } from './health';
import { declareBroadcastCounters, declareBroadcastGauges } from './metrics';
import type { BroadcastConfig } from './options';
import type { PubSub } from './pubsub/pubsub';
import { PUBSUBS } from './pubsub/registry';
import { createPublicationSink } from './sink';
import { FanoutLease, type PositionedRelay } from './fanout-lease';
import type { Transport } from './transport';
import { openTransports, transportsIn } from './transports';
import { DEFAULT_TUNING, type BusTuning } from './tuning';

export interface BusDeps {
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** This node's name: part of its probe channels, redisx consumer name and NATS client name. */
  readonly nodeId: string;
  readonly tuning?: Partial<BusTuning>;
  /** Positions what the non-fan-out inputs receive before it goes to the pub/sub (a broker's history). */
  readonly positioner?: MessagePositioner;
}

interface BusParts {
  readonly config: BroadcastConfig;
  readonly logger: Logger;
  readonly delivery: LocalDelivery;
  readonly pubsub: PubSub;
  readonly adapters: readonly BroadcastAdapter[];
  readonly transports: readonly Transport[];
  readonly served: Set<string>;
  readonly fanoutLease: FanoutLease | null;
}

class Bus implements BroadcastBus {
  readonly httpEndpoint: HttpBroadcastEndpoint | null;
  private readonly followers: readonly StreamFollower[];

  constructor(private readonly parts: BusParts) {
    this.httpEndpoint = parts.adapters.find((adapter) => adapter.endpoint)?.endpoint ?? null;
    this.followers = parts.adapters.flatMap((adapter) => (adapter.streams ? [adapter.streams] : []));
  }

  async start(handler: DeliveryHandler): Promise<void> {
    const { delivery, pubsub, adapters, logger } = this.parts;
    delivery.attach(handler);
    // The pub/sub first: what the inputs hand on must have somewhere to go.
    await pubsub.start();
    await this.parts.fanoutLease?.start();
    await Promise.all(adapters.map((adapter) => adapter.start()));
    for (const adapter of adapters) logger.info('broadcast adapter', adapter.summary);
    logger.info('node-to-node pub/sub', pubsub.summary);
    this.logCollisionAvoidance();
  }

  async subscribe(stream: string): Promise<void> {
    this.parts.served.add(stream);
    await Promise.all([this.parts.pubsub.subscribe(stream), ...this.followers.map((follower) => follower.subscribe(stream))]);
  }

  unsubscribe(stream: string): void {
    this.parts.served.delete(stream);
    this.parts.pubsub.unsubscribe(stream);
    for (const follower of this.followers) follower.unsubscribe(stream);
  }

  publish(message: StreamMessage): void {
    this.parts.pubsub.publish(message);
  }

  health(): BusHealth {
    return { degraded: degradedComponents(this.parts.transports.map((transport) => transport.health)) };
  }

  async shutdown(): Promise<void> {
    const { adapters, pubsub, transports } = this.parts;
    // The fan-out turn is handed over while the inputs still hear, at the fences they carry.
    await this.parts.fanoutLease?.shutdown();
    // Inputs stop first, then the pub/sub they hand on to, so nothing accepted is dropped in between.
    await Promise.all(adapters.map((adapter) => adapter.shutdown()));
    await pubsub.shutdown();
    await Promise.all(transports.map((transport) => transport.close()));
  }

  /** Rails' bare stream channels and the node-to-node channels would otherwise be the same Redis channels. */
  private logCollisionAvoidance(): void {
    const { config, logger } = this.parts;
    if (!config.adapters.includes('actioncable') || config.actioncablePrefix !== '' || config.pubsub !== 'redis') return;
    logger.info("pub/sub channels take a prefix of their own, apart from Rails' bare stream channels", {
      pubsub_channel_prefix: config.pubsubChannelPrefix,
    });
  }
}

/**
 * Publishes messages once positioned. What one input hands over in one turn (a batch) is positioned with
 * one call per stream, so it still reaches the nodes in one burst; replies come in the order requests were
 * sent, so a stream's messages keep their order. Messages that could not be positioned (Redis down) still
 * go out, without a position, as they would with no broker.
 */
function positionedPublisher(positioner: MessagePositioner, pubsub: PubSub, logger: Logger): PositionedRelay {
  const failures = new RateLimitedLog(logger, 'warn');
  interface Run {
    readonly messages: StreamMessage[];
    readonly origins: string[];
  }
  let turn: Map<string, Run> | null = null;
  const flush = (byStream: Map<string, Run>): void => {
    for (const [stream, { messages, origins }] of byStream) {
      positioner.position(stream, messages, origins).then(
        (positioned) => {
          for (const message of positioned) pubsub.publish(message);
        },
        (error: unknown) => {
          failures.log('broadcast not recorded in the stream history: delivered without a position', {
            stream,
            error: errorMessage(error),
          });
          for (const message of messages) pubsub.publish(message);
        },
      );
    }
  };
  return (message, origin) => {
    if (!turn) {
      const collected = (turn = new Map());
      queueMicrotask(() => {
        turn = null;
        flush(collected);
      });
    }
    const run = turn.get(message.stream);
    if (run) {
      run.messages.push(message);
      run.origins.push(origin);
    } else turn.set(message.stream, { messages: [message], origins: [origin] });
  };
}

/**
 * Builds the bus the gateway uses: the configured broadcast inputs, the node-to-node pub/sub and the
 * transports (Redis, NATS) they share. Connections are opened here; `start` waits until they can receive.
 */
export function createBroadcastBus(config: BroadcastConfig, deps: BusDeps): BroadcastBus {
  const tuning: BusTuning = { ...DEFAULT_TUNING, ...deps.tuning };
  const counters = declareBroadcastCounters(deps.metrics);
  const transports = openTransports(config, { nodeId: deps.nodeId, tuning, logger: deps.logger, counters });
  const opened = transportsIn(transports);
  const served = new Set<string>();
  declareBroadcastGauges(deps.metrics, {
    subscribedStreams: () => served.size,
    components: opened.map((transport) => transport.health),
  });
  const delivery = new LocalDelivery(deps.logger);
  const partOf = (name: string, target: DeliveryHandler, countsPublications: boolean, logger: Logger): BusContext => ({
    ...transports,
    config,
    sink: createPublicationSink({
      source: name,
      target,
      countsPublications,
      maxMessageBytes: config.maxMessageBytes,
      readsPositions: name === 'pubsub',
      counters,
      logger: deps.logger,
    }),
    nodeId: deps.nodeId,
    tuning,
    logger,
  });
  const pubsub: PubSub = PUBSUBS[config.pubsub]({
    ...partOf('pubsub', delivery, false, deps.logger.child({ pubsub: config.pubsub })),
    delivery,
  });
  const positioned = deps.positioner ? positionedPublisher(deps.positioner, pubsub, deps.logger) : null;
  const relay: DeliveryHandler = {
    deliver: positioned ? (message) => positioned(message, '') : (message) => pubsub.publish(message),
    execute: (command: RemoteCommand) => pubsub.publishCommand(command),
  };
  const { redis } = transports;
  const fanoutLease =
    deps.positioner && positioned && redis && config.adapters.some((name) => ADAPTERS[name].hearsEveryStream)
      ? new FanoutLease(redis.commands, config.redisChannel, deps.nodeId, {
          tuning,
          logger: deps.logger,
          takeovers: counters.fanoutTakeovers,
          recovered: counters.fanoutRecovered,
          positioned: deps.positioner,
          relay: positioned,
        })
      : null;
  // With a positioner, what every node hears in full is positioned and relayed by the lease holder alone.
  const leaderRelay = (turn: PositioningTurn): DeliveryHandler => ({
    deliver: (message) => turn.deliver(message),
    execute: (command) => delivery.execute(command),
  });
  const adapters = config.adapters.map((name) => {
    const kind = ADAPTERS[name];
    const turn = kind.hearsEveryStream && fanoutLease ? fanoutLease.turn(name) : null;
    const target = !kind.fanout ? relay : turn ? leaderRelay(turn) : delivery;
    const part = partOf(name, target, !kind.fanout, deps.logger.child({ adapter: name }));
    return kind.create({ ...part, relayUp: () => pubsub.isUp(), positioning: turn });
  });
  return new Bus({ config, logger: deps.logger, delivery, pubsub, adapters, transports: opened, served, fanoutLease });
}
