import { Redis } from 'ioredis';
import { connect, type NatsConnection } from 'nats';
import { createBroadcastBus } from '../../../broadcaster/src/create-bus';
import { resolveNatsConfig, type NatsConfig } from '../../../broadcaster/src/nats/options';
import type { BroadcastBus, DeliveryHandler } from '../../../broadcaster/src/bus';
import type { AdapterName, BroadcastConfig } from '../../../broadcaster/src/options';
import type { BusTuning } from '../../../broadcaster/src/tuning';
import { createLogger } from '../../../shared/src/logger';
import { Metrics } from '../../../shared/src/metrics';
import type { RemoteCommand, StreamMessage } from '../../../shared/src/publication';
import type { RedisConfig } from '../../../shared/src/redis/options';
import { startNatsServer, type NatsServer } from '../../support/nats-server';
import { startRedisServer, type RedisServer } from '../../support/redis-server';

/** A DeliveryHandler that remembers everything it was handed, in order. */
export class Recorder implements DeliveryHandler {
  readonly messages: StreamMessage[] = [];
  readonly commands: RemoteCommand[] = [];

  deliver(message: StreamMessage): void {
    this.messages.push(message);
  }

  execute(command: RemoteCommand): void {
    this.commands.push(command);
  }

  dataOf(stream: string): string[] {
    return this.messages.filter((message) => message.stream === stream).map((message) => message.data);
  }
}

export function redisConfig(...urls: string[]): RedisConfig {
  return { urls, sentinels: [], tls: { verify: false }, keepaliveMs: 0 };
}

export function natsConfig(...urls: string[]): NatsConfig {
  return resolveNatsConfig({ nats_servers: urls.join(','), nats_dont_randomize_servers: false });
}

export function busConfig(overrides: Partial<BroadcastConfig> & { adapters: readonly AdapterName[] }): BroadcastConfig {
  return {
    pubsub: 'memory',
    http: { port: 0, path: '/_broadcast', key: null },
    redisChannel: '__anycable__',
    redisx: { stream: '__anycable__', group: 'bx', readBlockMs: 2000 },
    actioncablePrefix: '',
    pubsubChannelPrefix: '',
    internalChannel: '__anycable_internal__',
    maxMessageBytes: 1024 * 1024,
    redis: null,
    natsChannel: '__anycable__',
    nats: null,
    ...overrides,
  };
}

/** Probes, pings and acknowledgement bounds short enough for outage tests. */
export const FAST_TUNING: Partial<BusTuning> = {
  probe: { intervalMs: 200, timeoutMs: 500 },
  ackBoundMs: 500,
  natsPingIntervalMs: 200,
};

export interface TestNode {
  readonly bus: BroadcastBus;
  readonly recorder: Recorder;
  readonly metrics: Metrics;
  readonly logs: string[];
  /** The current value of a metric of this node (without its prefix), summed over labels. */
  metric(name: string): Promise<number>;
}

export async function startNode(config: BroadcastConfig, nodeId = 'node', tuning: Partial<BusTuning> = {}): Promise<TestNode> {
  const logs: string[] = [];
  const logger = createLogger({ level: 'info', format: 'text', sink: (line) => logs.push(line) });
  const metrics = new Metrics('cableway_');
  const recorder = new Recorder();
  const bus = createBroadcastBus(config, { logger, metrics, nodeId, tuning });
  await bus.start(recorder);
  return {
    bus,
    recorder,
    metrics,
    logs,
    async metric(name) {
      const metric = metrics.registry.getSingleMetric(`cableway_${name}`);
      if (!metric) throw new Error(`no metric ${name}`);
      const { values } = await metric.get();
      return values.reduce((sum, value) => sum + value.value, 0);
    },
  };
}

/** Posts `body` (a raw string, or anything else as JSON) to the node's HTTP input, unauthorized; returns the status. */
export function httpPost(node: TestNode, body: unknown): number {
  return node.bus.httpEndpoint!.handle('', Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)));
}

/** An HTTP broadcast body for `messages`: one object, or an array when there are several. */
export function publicationBody(...messages: StreamMessage[]): Buffer {
  return Buffer.from(JSON.stringify(messages.length === 1 ? messages[0] : messages));
}

export interface RedisFixture {
  readonly server: RedisServer;
  /** A plain client, for publishing as Rails does and for inspecting Redis. */
  readonly client: Redis;
  /** Nodes a test started; each is shut down after its test. */
  readonly nodes: TestNode[];
}

/** A redis-server for the whole test file, with the hooks that start and stop it and the test's nodes. */
export function useRedisServer(): RedisFixture {
  const fixture = { nodes: [] as TestNode[] } as { server: RedisServer; client: Redis; nodes: TestNode[] };
  beforeAll(async () => {
    fixture.server = await startRedisServer();
    fixture.client = new Redis(fixture.server.url);
  });
  afterEach(async () => {
    await Promise.all(fixture.nodes.splice(0).map((node) => node.bus.shutdown()));
  });
  afterAll(async () => {
    fixture.client.disconnect();
    await fixture.server.stop();
  });
  return fixture;
}

export interface NatsFixture {
  readonly server: NatsServer;
  /** A plain client, for publishing as Rails does. */
  readonly client: NatsConnection;
  /** Nodes a test started; each is shut down after its test. */
  readonly nodes: TestNode[];
}

/** A nats-server for the whole test file, with the hooks that start and stop it and the test's nodes. */
export function useNatsServer(): NatsFixture {
  const fixture = { nodes: [] as TestNode[] } as { server: NatsServer; client: NatsConnection; nodes: TestNode[] };
  beforeAll(async () => {
    fixture.server = await startNatsServer();
    fixture.client = await connect({ servers: fixture.server.url, maxReconnectAttempts: -1, reconnectTimeWait: 200 });
  });
  afterEach(async () => {
    await Promise.all(fixture.nodes.splice(0).map((node) => node.bus.shutdown()));
  });
  afterAll(async () => {
    await fixture.client.close();
    await fixture.server.stop();
  });
  return fixture;
}
