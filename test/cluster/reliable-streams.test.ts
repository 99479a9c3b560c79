import { Redis } from 'ioredis';
import { createPublisher } from '../../broadcaster/src/publisher/publisher';
import type { RedisConfig } from '../../shared/src/redis/options';
import { startBalancer } from '../support/balancer';
import { anycableCable, EXTENDED_PROTOCOLS, rawClient, type RawClient } from '../support/clients';
import { metricValue, postBroadcast, startGateway, type GatewayProcess } from '../support/gateway';
import { redisCli, startRedisServer, type RedisServer } from '../support/redis-server';
import { startRpcServer, type TestRpcServer } from '../support/rpc-server';
import { waitFor } from '../support/wait';

/**
 * Reliable streams across a cluster with the redis broker: one offset per publication for the whole
 * cluster whichever node or adapter it entered by, sessions restored on another node without RPC, gaps of
 * node-to-node delivery filled from the history, and Redis outages survived.
 */
let redis: RedisServer;
let rpc: TestRpcServer;
let nodes: GatewayProcess[];

/** The fan-out lease of the `redis` and `actioncable` inputs: the holder's node id. */
const LEASE = 'cableway:fanout:__anycable__:positioner';
const PUBSUB = (stream: string) => JSON.stringify({ channel: '$pubsub', stream_name: stream });
const redisConfig = (url: string): RedisConfig => ({ urls: [url], sentinels: [], tls: { verify: false }, keepaliveMs: 30_000 });

beforeAll(async () => {
  redis = await startRedisServer();
  rpc = await startRpcServer();
  nodes = await Promise.all(
    [0, 1, 2].map((index) =>
      startGateway({
        redis_url: redis.url,
        node_id: `rs${index}`,
        broker: 'redis',
        broadcast_adapter: 'http,redisx,redis,actioncable',
        rpc_host: rpc.address,
        public_streams: true,
        broadcast_key: 'k',
        metrics_http: '/metrics',
        presence_ttl: 2,
      }),
    ),
  );
});

afterAll(async () => {
  await Promise.all((nodes ?? []).map((node) => node.stop()));
  await rpc?.stop();
  await redis?.stop();
});

async function extClient(node: GatewayProcess, stream: string): Promise<RawClient> {
  const client = await rawClient(node.url, { protocols: EXTENDED_PROTOCOLS, headers: { cookie: 'username=raw' } });
  await client.welcome();
  client.send({ command: 'subscribe', identifier: PUBSUB(stream) });
  await client.next((frame) => frame.type === 'confirm_subscription', 'confirmation');
  return client;
}

/** The id of a node's node-to-node subscriber connection, found by its client name. */
async function pubsubClientId(nodeId: string): Promise<string> {
  const list = await redisCli(redis.port, 'CLIENT', 'LIST', 'TYPE', 'pubsub');
  const line = list.split('\n').find((entry) => entry.includes(` name=cableway-${nodeId}-pubsub `));
  const id = line?.match(/^id=(\d+) /)?.[1];
  if (!id) throw new Error(`no pub/sub connection of ${nodeId} in:\n${list}`);
  return id;
}

const dataFrames = (client: RawClient) => client.messages().filter((frame) => frame.message !== undefined);

/** Publishes the n-th message of a stream through one of the four adapters in turn, as Rails would. */
class RotatingPublisher {
  private readonly redisx = createPublisher({ transport: 'redisx', redis: redisConfig(redis.url) });
  private readonly fanout = createPublisher({ transport: 'redis', redis: redisConfig(redis.url) });
  // Rails' own Action Cable Redis adapter: a plain PUBLISH of the message on the bare stream channel.
  private readonly actionCable = new Redis(redis.url);

  async publish(stream: string, n: number): Promise<void> {
    const data = JSON.stringify({ n });
    if (n % 4 === 0) await this.redisx.broadcast(stream, data);
    else if (n % 4 === 1) await this.fanout.broadcast(stream, data);
    else if (n % 4 === 2) await postBroadcast(nodes[n % 3]!.broadcastUrl, { stream, data }, 'k');
    else await this.actionCable.publish(stream, data);
  }

  async close(): Promise<void> {
    await Promise.all([this.redisx.close(), this.fanout.close(), this.actionCable.quit()]);
  }
}

describe('the redis broker', () => {
  it('gives each publication one offset for the whole cluster, whichever node and adapter it entered by', async () => {
    const since = Math.floor(Date.now() / 1000) - 1;
    const clients = await Promise.all(nodes.map((node) => extClient(node, 'shared')));
    const publisher = new RotatingPublisher();
    try {
      for (let n = 1; n <= 12; n += 1) await publisher.publish('shared', n);
      for (const client of clients) await waitFor(() => dataFrames(client).length === 12, 'twelve messages', 15_000);
      const seen = clients.map((client) =>
        dataFrames(client).map((frame) => `${frame.epoch}/${frame.offset}:${JSON.stringify(frame.message)}`),
      );
      expect(seen[1]).toEqual(seen[0]);
      expect(seen[2]).toEqual(seen[0]);
      expect(dataFrames(clients[0]!).map((frame) => frame.offset)).toEqual(Array.from({ length: 12 }, (_, index) => index + 1));
      const writes = await Promise.all(nodes.map((node) => metricValue(node.httpUrl, 'cableway_history_writes_total')));
      expect(writes.reduce((sum, count) => sum + count, 0)).toBe(12);

      // The history holds what came in through each adapter, under the offsets the clients saw.
      const late = await rawClient(nodes[1]!.url, { protocols: EXTENDED_PROTOCOLS, headers: { cookie: 'username=late' } });
      clients.push(late);
      await late.welcome();
      late.send({ command: 'subscribe', identifier: PUBSUB('shared'), history: { since } });
      await late.next((frame) => frame.type === 'confirm_history', 'confirm_history');
      expect(dataFrames(late).map((frame) => `${frame.epoch}/${frame.offset}:${JSON.stringify(frame.message)}`)).toEqual(seen[0]);
    } finally {
      await publisher.close();
      for (const client of clients) client.close();
    }
  });

  it('restores a dropped @anycable/web session on another node without RPC: exactly the missed messages, in order, then live ones', async () => {
    const balancer = await startBalancer(nodes[0]!.port);
    const cable = anycableCable(balancer.url, {
      protocol: 'actioncable-v1-ext-json',
      websocketOptions: { headers: { cookie: 'username=traveller' } },
    });
    const connects: Array<{ restored?: boolean }> = [];
    cable.on('connect', (event) => connects.push(event));
    const channel = cable.subscribeTo('ChatChannel', { room: 'travel' });
    const received: unknown[] = [];
    channel.on('message', (message: unknown) => received.push(message));
    const publisher = new RotatingPublisher();
    let watcher!: RawClient;
    try {
      await channel.ensureSubscribed();
      await postBroadcast(nodes[0]!.broadcastUrl, { stream: 'chat_travel', data: '{"n":0}' }, 'k');
      await waitFor(() => received.length === 1, 'the first message');
      watcher = await extClient(nodes[2]!, 'chat_travel');
      const calls = { ...rpc.calls };

      balancer.target(nodes[1]!.port);
      balancer.cut();
      // Each publication is seen delivered before the next goes out, so the cluster's order is the order sent.
      for (let n = 1; n <= 9; n += 1) {
        await publisher.publish('chat_travel', n);
        await waitFor(() => dataFrames(watcher).length === n, `publication ${n} to be delivered`);
      }
      await waitFor(() => connects.length === 2, 'the client to reconnect', 20_000);
      expect(connects[1]!.restored).toBe(true);
      await waitFor(() => received.length >= 10, 'the missed messages', 15_000);
      await postBroadcast(nodes[2]!.broadcastUrl, { stream: 'chat_travel', data: '{"n":10}' }, 'k');
      await waitFor(() => received.length >= 11, 'a live message');
      expect(received).toEqual(Array.from({ length: 11 }, (_, n) => ({ n })));
      expect(rpc.calls.connect).toBe(calls.connect);
      expect(rpc.calls.command).toBe(calls.command);
      expect(await metricValue(nodes[1]!.httpUrl, 'cableway_rpc_avoided_total', '{op="restore"}')).toBe(1);
    } finally {
      cable.disconnect();
      watcher?.close();
      await publisher.close();
      await balancer.close();
    }
  });

  it("fills a gap in one node's node-to-node delivery from the history: every message once, in order, on every node", async () => {
    const clients = await Promise.all(nodes.map((node) => extClient(node, 'gappy')));
    let n = 0;
    const publish = () => postBroadcast(nodes[0]!.broadcastUrl, { stream: 'gappy', data: JSON.stringify({ n: ++n }) }, 'k');
    try {
      for (let i = 0; i < 5; i += 1) await publish();
      const before = await Promise.all(nodes.map((node) => metricValue(node.httpUrl, 'cableway_history_gap_repairs_total')));
      const cut = await pubsubClientId('rs1');
      await redisCli(redis.port, 'CLIENT', 'KILL', 'ID', cut);
      // Publications flow while that one link is down: at least the first is missed by node rs1 alone.
      await waitFor(
        async () => {
          await publish();
          return (await pubsubClientId('rs1').catch(() => cut)) !== cut;
        },
        'node rs1 to open its pub/sub link again',
        20_000,
      );
      // Publications go on until the cut node has heard again and repaired what it missed.
      await waitFor(
        async () => {
          await publish();
          const repairs = await metricValue(nodes[1]!.httpUrl, 'cableway_history_gap_repairs_total');
          return repairs > before[1]! && clients.every((client) => dataFrames(client).length === n);
        },
        'the cut node to repair its gap',
        20_000,
        200,
      );
      for (const client of clients) {
        expect(dataFrames(client).map((frame) => (frame.message as { n: number }).n)).toEqual(
          Array.from({ length: n }, (_, i) => i + 1),
        );
      }
    } finally {
      for (const client of clients) client.close();
    }
  });

  it('leaves plain clients with the frames of today, byte for byte', async () => {
    const plain = await rawClient(nodes[2]!.url, { headers: { cookie: 'username=plain' } });
    await plain.welcome();
    plain.send({ command: 'subscribe', identifier: PUBSUB('plain') });
    await plain.next((frame) => frame.type === 'confirm_subscription', 'confirmation');
    const rails = new Redis(redis.url);
    await postBroadcast(nodes[0]!.broadcastUrl, { stream: 'plain', data: '{"text":"hi"}' }, 'k');
    await plain.next((frame) => frame.message !== undefined, 'the broadcast');
    await rails.publish('plain', '{"text":"from rails"}');
    await waitFor(
      () => plain.messages().filter((frame) => frame.message !== undefined).length === 2,
      'the Action Cable broadcast',
    );
    expect(plain.frames.filter((frame) => frame.includes('"message"'))).toEqual([
      `{"identifier":${JSON.stringify(PUBSUB('plain'))},"message":{"text":"hi"}}`,
      `{"identifier":${JSON.stringify(PUBSUB('plain'))},"message":{"text":"from rails"}}`,
    ]);
    await rails.quit();
    plain.close();
  });

  it('survives Redis being killed and restarted: nothing crashes, live delivery resumes, restores work again', async () => {
    const client = await extClient(nodes[0]!, 'outage');
    await redis.kill();
    client.send({ command: 'history', identifier: PUBSUB('outage'), history: { since: 1 } });
    await client.next((frame) => frame.type === 'reject_history', 'reject_history while Redis is down');
    await redis.restart();
    await waitFor(
      async () => {
        await postBroadcast(nodes[1]!.broadcastUrl, { stream: 'outage', data: '"after"' }, 'k');
        return dataFrames(client).some((frame) => frame.message === 'after');
      },
      'live delivery to resume',
      30_000,
      250,
    );
    for (const node of nodes) {
      await waitFor(async () => (await (await fetch(`${node.httpUrl}/health`)).text()) === 'Ok', 'health to recover', 20_000);
    }
    // A session saved while a broker link was still down is not kept, so each attempt is a new session,
    // dropped, then resumed on another node.
    const second = await waitFor(
      async () => {
        const first = await rawClient(nodes[2]!.url, { protocols: EXTENDED_PROTOCOLS, headers: { cookie: 'username=again' } });
        const { sid } = await first.welcome();
        first.send({ command: 'subscribe', identifier: PUBSUB('outage') });
        await first.next((frame) => frame.type === 'confirm_subscription', 'confirmation');
        first.ws.terminate();
        await first.closed;
        const candidate = await rawClient(`${nodes[0]!.url}?sid=${sid as string}`, {
          protocols: EXTENDED_PROTOCOLS,
          headers: { cookie: 'username=again' },
        });
        const welcome = await candidate.welcome();
        if (welcome.restored === true) return candidate;
        candidate.close();
        return undefined;
      },
      'a restore after recovery',
      30_000,
      250,
    );
    expect((await second.welcome()).restored_ids).toEqual([PUBSUB('outage')]);
    for (const node of nodes) expect((await fetch(`${node.httpUrl}/health`)).status).toBe(200);
    second.close();
    client.close();
  });
});

describe('presence across nodes', () => {
  const LOBBY = PUBSUB('lobby');

  async function presentRaw(node: GatewayProcess, id: string, info: unknown): Promise<RawClient> {
    const client = await extClient(node, 'lobby');
    client.send({ command: 'join', identifier: LOBBY, presence: { id, info } });
    return client;
  }

  const presenceEvents = (client: RawClient) =>
    client.messages().filter((frame) => frame.type === 'presence' && (frame.message as { type: string }).type !== 'info');

  it('announces joins and leaves once per presence id, answers the full member set, and lets dropped members lapse', async () => {
    const watcher = await extClient(nodes[2]!, 'lobby');
    const cable = anycableCable(nodes[1]!.url, {
      protocol: 'actioncable-v1-ext-json',
      websocketOptions: { headers: { cookie: 'username=bob' } },
    });
    const channel = cable.streamFrom('lobby');
    try {
      const alice = await presentRaw(nodes[0]!, 'alice', { name: 'Alice' });
      await watcher.next((frame) => frame.type === 'presence', 'the join of alice');
      await channel.ensureSubscribed();
      await channel.presence.join('bob', { name: 'Bob' });
      const aliceAgain = await presentRaw(nodes[2]!, 'alice', { name: 'Alice' });
      await waitFor(async () => Object.keys((await channel.presence.info()) ?? {}).length === 2, 'two members');
      expect(await channel.presence.info()).toEqual({ alice: { name: 'Alice' }, bob: { name: 'Bob' } });

      aliceAgain.send({ command: 'presence', identifier: LOBBY });
      const info = await aliceAgain.next(
        (frame) => frame.type === 'presence' && (frame.message as { type: string }).type === 'info',
      );
      expect((info.message as { total: number }).total).toBe(2);

      await channel.presence.leave();
      await waitFor(() => presenceEvents(watcher).length === 3, 'the leave of bob');
      expect(presenceEvents(watcher).map((frame) => frame.message)).toEqual([
        { type: 'join', info: { name: 'Alice' }, id: 'alice' },
        { type: 'join', info: { name: 'Bob' }, id: 'bob' },
        { type: 'leave', id: 'bob' },
      ]);

      // One of alice's two connections drops: she is still there; once the other drops too, she leaves after the TTL.
      alice.ws.terminate();
      aliceAgain.ws.terminate();
      await waitFor(() => presenceEvents(watcher).length === 4, 'alice to lapse', 15_000);
      expect(presenceEvents(watcher)[3]!.message).toEqual({ type: 'leave', id: 'alice' });
      const raw = presenceEvents(watcher).map((frame) => frame.identifier);
      expect(new Set(raw)).toEqual(new Set([LOBBY]));
    } finally {
      cable.disconnect();
      watcher.close();
    }
  });
});

describe('the fan-out lease', () => {
  /** node id → the number of patterns its actioncable connection subscribes. */
  async function actionCablePatterns(): Promise<Map<string, number>> {
    const list = await redisCli(redis.port, 'CLIENT', 'LIST');
    const patterns = new Map<string, number>();
    for (const line of list.split('\n')) {
      const node = line.match(/ name=cableway-(\S+)-actioncable /)?.[1];
      if (node) patterns.set(node, Number(line.match(/ psub=(\d+) /)?.[1]));
    }
    return patterns;
  }

  it("moves Rails' Action Cable channels to the next holder when the holder dies: positioned once, no duplicates", async () => {
    const ids = nodes.map((_, index) => `rs${index}`);
    // Only the holder hears Rails' channels; the others do not subscribe them at all.
    const holder = await waitFor(async () => {
      const current = await redisCli(redis.port, 'GET', LEASE);
      const patterns = await actionCablePatterns();
      return ids.every((id) => patterns.get(id) === (id === current ? 1 : 0)) && current;
    }, 'the lease holder alone to subscribe the pattern');
    const survivors = ids.filter((id) => id !== holder);
    const clients = await Promise.all(survivors.map((id) => extClient(nodes[ids.indexOf(id)]!, 'failover')));
    const rails = new Redis(redis.url);
    let n = 0;
    try {
      await nodes[ids.indexOf(holder)]!.stop('SIGKILL');
      // Publications go on while nobody holds the lease; those are lost, as with the redis adapter.
      await waitFor(
        async () => {
          await rails.publish('failover', JSON.stringify({ n: ++n }));
          return clients.every((client) => dataFrames(client).length > 0);
        },
        'another node to position Action Cable publications',
        20_000,
        50,
      );
      const taken = n;
      for (let i = 0; i < 3; i += 1) await rails.publish('failover', JSON.stringify({ n: ++n }));
      const last = (client: RawClient) => (dataFrames(client).at(-1)?.message as { n: number } | undefined)?.n;
      for (const client of clients) await waitFor(() => last(client) === n, 'the last publication');
      const seen = clients.map((client) =>
        dataFrames(client).map((frame) => `${frame.epoch}/${frame.offset}:${JSON.stringify(frame.message)}`),
      );
      expect(seen[1]).toEqual(seen[0]);
      const numbers = dataFrames(clients[0]!).map((frame) => (frame.message as { n: number }).n);
      expect(numbers.slice(-4)).toEqual([taken, taken + 1, taken + 2, taken + 3]);
      const offsets = dataFrames(clients[0]!).map((frame) => frame.offset as number);
      expect(offsets).toEqual(Array.from({ length: offsets.length }, (_, index) => offsets[0]! + index));
      const next = await redisCli(redis.port, 'GET', LEASE);
      expect(survivors).toContain(next);
      const patterns = await actionCablePatterns();
      for (const id of survivors) expect(patterns.get(id)).toBe(id === next ? 1 : 0);
    } finally {
      await rails.quit();
      for (const client of clients) client.close();
    }
  });
});

/** Two nodes on a Redis of their own, with the fan-out inputs `adapters`; `roles` tells the holder apart. */
function useLeasePair(prefix: string, adapters: string) {
  const fixture = {} as { redis: RedisServer; nodes: GatewayProcess[] };
  beforeAll(async () => {
    fixture.redis = await startRedisServer();
    fixture.nodes = await Promise.all(
      [0, 1].map((index) =>
        startGateway({
          redis_url: fixture.redis.url,
          node_id: `${prefix}${index}`,
          broker: 'redis',
          broadcast_adapter: adapters,
          rpc_host: rpc.address,
          public_streams: true,
          metrics_http: '/metrics',
        }),
      ),
    );
  });
  afterAll(async () => {
    await Promise.all((fixture.nodes ?? []).map((node) => node.stop()));
    await fixture.redis?.stop();
  });
  return {
    get redis() {
      return fixture.redis;
    },
    /** The node holding the fan-out lease, its id, and the other node. */
    async roles(): Promise<{ id: string; holder: GatewayProcess; other: GatewayProcess }> {
      const id = await waitFor(async () => (await redisCli(fixture.redis.port, 'GET', LEASE)) || false, 'a lease holder');
      const holder = fixture.nodes.find((_, index) => `${prefix}${index}` === id)!;
      return { id, holder, other: fixture.nodes.find((node) => node !== holder)! };
    },
  };
}

describe('the fan-out lease, handed over by a holder that shuts down', () => {
  const pair = useLeasePair('h', 'redis,actioncable');

  it('loses no publication of either input and positions none twice, however fast they come', async () => {
    const { id: holder, holder: stopping, other: staying } = await pair.roles();
    const own = pair.redis;
    const client = await extClient(staying, 'handover');
    const fanout = createPublisher({ transport: 'redis', redis: redisConfig(own.url) });
    const rails = new Redis(own.url);
    let n = 0;
    // Rails publishes through the anycable gem's channel and through Action Cable's own, in turn.
    const publish = () => {
      n += 1;
      const data = JSON.stringify({ n });
      return n % 2 === 0 ? fanout.broadcast('handover', data) : rails.publish('handover', data).then(() => undefined);
    };
    try {
      let stopped = false;
      const stop = stopping.stop().then(() => (stopped = true));
      while (!stopped) {
        await publish();
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      await stop;
      const next = await redisCli(own.port, 'GET', LEASE);
      for (let i = 0; i < 5; i += 1) await publish();
      const numbers = () => dataFrames(client).map((frame) => (frame.message as { n: number }).n);
      // A timeout here is not the failure: the comparisons below say what is missing or doubled.
      await waitFor(() => numbers().length >= n, 'every publication', 5_000).catch(() => undefined);
      // Each input keeps its order; two inputs are two connections, with no order between them.
      const all = Array.from({ length: n }, (_, index) => index + 1);
      expect([...numbers()].sort((a, b) => a - b)).toEqual(all);
      for (const parity of [0, 1]) {
        expect(numbers().filter((number) => number % 2 === parity)).toEqual(all.filter((number) => number % 2 === parity));
      }
      const offsets = dataFrames(client).map((frame) => frame.offset as number);
      expect(offsets).toEqual(Array.from({ length: n }, (_, index) => offsets[0]! + index));
      // Taken over before the holder had stopped.
      expect(next).toBe(holder === 'h0' ? 'h1' : 'h0');
      expect(await metricValue(staying.httpUrl, 'cableway_fanout_takeovers_total', '{how="fence"}')).toBe(1);
    } finally {
      await Promise.all([fanout.close(), rails.quit()]);
      client.close();
    }
  });
});

describe('the fan-out lease, lapsed after its holder died', () => {
  const pair = useLeasePair('d', 'redis');

  it('positions every publication once and in order, those sent while nobody held the lease included', async () => {
    const { holder: dying, other: staying } = await pair.roles();
    const client = await extClient(staying, 'lapse');
    // The holder's watermarks go by at its renewals (one a second): the staying node places what it hears.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const fanout = createPublisher({ transport: 'redis', redis: redisConfig(pair.redis.url) });
    let n = 0;
    const publish = () => fanout.broadcast('lapse', JSON.stringify({ n: ++n }));
    const takenOver = async () => (await metricValue(staying.httpUrl, 'cableway_fanout_takeovers_total', '{how="free"}')) === 1;
    try {
      while (n < 200) {
        await publish();
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      await dying.stop('SIGKILL');
      const killedAt = n;
      while (!(await takenOver())) {
        for (let i = 0; i < 10; i += 1) {
          await publish();
          await new Promise((resolve) => setTimeout(resolve, 2));
        }
      }
      for (let i = 0; i < 5; i += 1) await publish();
      const numbers = () => dataFrames(client).map((frame) => (frame.message as { n: number }).n);
      // A timeout here is not the failure: the comparison below says what is missing or doubled.
      await waitFor(() => numbers().length >= n, 'every publication', 5_000).catch(() => undefined);
      // The lease lapsed after 3 s: hundreds of publications came while nobody held it.
      expect(n - killedAt).toBeGreaterThan(300);
      expect(numbers()).toEqual(Array.from({ length: n }, (_, index) => index + 1));
      const offsets = dataFrames(client).map((frame) => frame.offset as number);
      expect(offsets).toEqual(Array.from({ length: n }, (_, index) => offsets[0]! + index));
    } finally {
      await fanout.close();
      client.close();
    }
  });
});

describe('a fan-out lease holder stopping while Redis is down', () => {
  it('stops within the bounds of its lease calls, not after Redis reconnect attempts', async () => {
    const down = await startRedisServer();
    const node = await startGateway({
      redis_url: down.url,
      node_id: 'alone',
      broker: 'redis',
      broadcast_adapter: 'redis,actioncable',
      public: true,
    });
    try {
      await waitFor(async () => (await redisCli(down.port, 'GET', LEASE)) === 'alone', 'the lease');
      await down.kill();
      const started = Date.now();
      expect(await node.stop()).toBe(0);
      // Offering the lease and giving it up are bounded by 1.5 s each.
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await node.stop();
      await down.stop();
    }
  });
});
