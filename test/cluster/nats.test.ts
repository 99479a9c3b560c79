import { connect, type NatsConnection } from 'nats';
import { EXTENDED_PROTOCOLS, pubsubIdentifier, pubsubSubscriber, rawClient, type RawClient } from '../support/clients';
import { metricValue, postBroadcast, startGateway, type GatewayProcess } from '../support/gateway';
import { startNatsServer, type NatsServer } from '../support/nats-server';
import { redisCli, startRedisServer, type RedisServer } from '../support/redis-server';
import { waitFor } from '../support/wait';

/**
 * Two nodes on one nats-server and no Redis: the anycable gem's NATS broadcaster as input, NATS pub/sub
 * between the nodes, remote commands, and what the nodes do while nats-server is gone. Then the same input
 * with the redis broker, which positions each publication once for the cluster.
 */
const follow = pubsubIdentifier;

const subscribed = (node: GatewayProcess, stream: string, headers?: Record<string, string>): Promise<RawClient> =>
  pubsubSubscriber(node.url, stream, headers);

/** The messages of `stream` a client received, in order. */
function received(client: RawClient, stream: string): unknown[] {
  return client
    .messages()
    .filter((frame) => frame.identifier === follow(stream) && frame.message !== undefined)
    .map((frame) => frame.message);
}

function receives(client: RawClient, data: unknown, timeoutMs = 15_000): Promise<Record<string, unknown>> {
  return client.next((frame) => JSON.stringify(frame.message) === JSON.stringify(data), `the message ${data}`, timeoutMs);
}

async function health(node: GatewayProcess): Promise<{ status: number; body: string }> {
  const response = await fetch(`${node.httpUrl}/health`);
  return { status: response.status, body: await response.text() };
}

const count = (subjects: readonly string[], subject: string) => subjects.filter((candidate) => candidate === subject).length;

describe('two nodes on NATS', () => {
  let server: NatsServer;
  let nodes: GatewayProcess[];
  /** Publishes as the anycable gem's NATS broadcaster does. */
  let rails: NatsConnection;

  beforeAll(async () => {
    server = await startNatsServer();
    nodes = await Promise.all(
      [0, 1].map((index) =>
        startGateway({
          public: true,
          broadcast_adapter: 'http,nats',
          pubsub: 'nats',
          nats_servers: server.url,
          node_id: `nats${index}`,
          metrics_http: '/metrics',
          // Above NATS' own max_payload (1 MB), so that a message the node takes can still be refused by NATS.
          max_broadcast_size: 4 * 1024 * 1024,
          ws_max_pending_size: 8 * 1024 * 1024,
        }),
      ),
    );
    rails = await connect({ servers: server.url });
  }, 30_000);

  afterAll(async () => {
    await rails?.close();
    await Promise.all((nodes ?? []).map((node) => node.stop()));
    await server?.stop();
  });

  const first = () => nodes[0]!;
  const second = () => nodes[1]!;

  it('delivers what Rails publishes on __anycable__ to the subscribers on both nodes, once each, in order', async () => {
    const clients = [await subscribed(first(), 'gem'), await subscribed(second(), 'gem'), await subscribed(second(), 'gem')];
    const sent = Array.from({ length: 40 }, (_, i) => ({ n: i }));
    for (const [i, data] of sent.entries()) {
      // The gem sends single publications and, inside `batching`, arrays of them.
      const publication = { stream: 'gem', data: JSON.stringify(data) };
      rails.publish('__anycable__', JSON.stringify(i % 10 === 9 ? [publication] : publication));
    }
    rails.publish('__anycable__', JSON.stringify({ stream: 'gem', data: '"end"' }));
    for (const client of clients) {
      await receives(client, 'end');
      expect(received(client, 'gem')).toEqual([...sent, 'end']);
      client.close();
    }
  });

  it('carries an HTTP broadcast into one node to a subscriber on the other over NATS pub/sub', async () => {
    const client = await subscribed(second(), 'over-pubsub');
    expect(await postBroadcast(first().broadcastUrl, { stream: 'over-pubsub', data: '"relayed"' })).toBe(201);
    await receives(client, 'relayed');
    client.close();
  });

  it('subscribes a stream subject on NATS only while the node has a local subscriber, once per node', async () => {
    const subscriptions = async () => count(await server.subjects(), 'tracked');
    const a = await subscribed(second(), 'tracked');
    const b = await subscribed(second(), 'tracked');
    await waitFor(async () => (await subscriptions()) === 1, 'the second node to subscribe');
    const c = await subscribed(first(), 'tracked');
    await waitFor(async () => (await subscriptions()) === 2, 'the first node to subscribe');
    expect(await subscriptions()).toBe(2);
    a.close();
    c.close();
    await waitFor(async () => (await subscriptions()) === 1, 'the first node to unsubscribe');
    b.close();
    await waitFor(async () => (await subscriptions()) === 0, 'the second node to unsubscribe');
    expect(count(await server.subjects(), '__anycable__')).toBe(2);
    expect(count(await server.subjects(), '__anycable_internal__')).toBe(2);
  });

  it('carries a stream whose name is no NATS subject on a subject of its own, so that `>` subscribes to nothing else', async () => {
    const neighbour = await subscribed(second(), 'neighbour');
    const spaced = await subscribed(second(), 'room 1');
    const wildcard = await subscribed(second(), '>');
    await postBroadcast(first().broadcastUrl, { stream: 'room 1', data: '"spaced"' });
    await receives(spaced, 'spaced');
    await postBroadcast(first().broadcastUrl, { stream: '>', data: '"only mine"' });
    await receives(wildcard, 'only mine');
    // Were `>` a subscription of its own, the node would hear every stream twice.
    await postBroadcast(first().broadcastUrl, { stream: 'neighbour', data: '"once"' });
    await postBroadcast(first().broadcastUrl, { stream: 'neighbour', data: '"twice?"' });
    await receives(neighbour, 'twice?');
    expect(received(neighbour, 'neighbour')).toEqual(['once', 'twice?']);
    const subjects = await server.subjects();
    expect(subjects.filter((subject) => /^_cableway\.h\.[0-9a-f]{64}$/.test(subject))).toHaveLength(2);
    expect(subjects.filter((subject) => subject === '>' || subject.startsWith('room'))).toEqual([]);
    for (const client of [neighbour, spaced, wildcard]) client.close();
  });

  it('logs a publication above the NATS max_payload as lost and goes on delivering', async () => {
    const client = await subscribed(second(), 'oversize');
    const huge = JSON.stringify('x'.repeat(1_100_000));
    expect(await postBroadcast(first().broadcastUrl, { stream: 'oversize', data: huge })).toBe(201);
    await first().waitForOutput(/nats publish failed: the publication is lost/);
    await postBroadcast(first().broadcastUrl, { stream: 'oversize', data: '"small"' });
    await receives(client, 'small');
    expect(received(client, 'oversize')).toEqual(['small']);
    client.close();
  });

  it('disconnects the matching connections on every node, by HTTP over NATS pub/sub and from Rails over NATS', async () => {
    const viaPubSub = await rawClient(second().url, { headers: { 'x-request-id': 'nats-rd-1' } });
    const viaGem = await rawClient(first().url, { headers: { 'x-request-id': 'nats-rd-2' } });
    await Promise.all([viaPubSub.welcome(), viaGem.welcome()]);
    const bystander = await subscribed(second(), 'bystander');
    const command = (sid: string) => ({
      command: 'disconnect',
      payload: { identifier: JSON.stringify({ sid }), reconnect: true },
    });
    expect(await postBroadcast(first().broadcastUrl, command('nats-rd-1'))).toBe(201);
    rails.publish('__anycable__', JSON.stringify(command('nats-rd-2')));
    for (const client of [viaPubSub, viaGem]) {
      expect(await client.closed).toBe(1000);
      expect(client.messages()).toContainEqual({ type: 'disconnect', reason: 'remote', reconnect: true });
    }
    rails.publish('__anycable__', JSON.stringify({ stream: 'bystander', data: '"still here"' }));
    await receives(bystander, 'still here');
    bystander.close();
  });

  it('keeps both nodes up through a nats-server crash, reports it while it lasts, and delivers again after', async () => {
    const client = await subscribed(second(), 'outage');
    const leaving = await subscribed(second(), 'left-during-outage');
    await postBroadcast(first().broadcastUrl, { stream: 'outage', data: '"before"' });
    await receives(client, 'before');

    await server.kill();
    for (const node of nodes) {
      await waitFor(async () => (await health(node)).body === 'degraded: nats', 'health to report the outage');
      expect((await health(node)).status).toBe(200);
      expect(await metricValue(node.httpUrl, 'cableway_nats_connected')).toBe(0);
    }
    expect(await postBroadcast(first().broadcastUrl, { stream: 'outage', data: '"refused"' })).toBe(503);
    client.send({ command: 'ping' });
    await client.next((frame) => frame.type === 'pong');
    const joining = await subscribed(first(), 'joined-during-outage');
    leaving.close();
    await leaving.closed;

    await server.restart();
    for (const node of nodes) {
      await waitFor(async () => (await health(node)).body === 'Ok', 'health to recover', 20_000);
      expect(await metricValue(node.httpUrl, 'cableway_nats_connected')).toBe(1);
      expect(await metricValue(node.httpUrl, 'cableway_nats_reconnects_total')).toBeGreaterThanOrEqual(1);
    }
    // The nodes subscribed again by themselves: the stream on the serving node, the inputs on both.
    await waitFor(async () => count(await server.subjects(), 'outage') === 1, 'the stream subscribed again');
    await waitFor(async () => count(await server.subjects(), 'joined-during-outage') === 1, 'the new stream subscribed');
    expect(count(await server.subjects(), 'left-during-outage')).toBe(0);
    await postBroadcast(second().broadcastUrl, { stream: 'joined-during-outage', data: '"joined"' });
    await receives(joining, 'joined');
    joining.close();
    expect(await postBroadcast(first().broadcastUrl, { stream: 'outage', data: '"after, over pub/sub"' })).toBe(201);
    await receives(client, 'after, over pub/sub');
    const gem = await connect({ servers: server.url });
    await waitFor(async () => count(await server.subjects(), '__anycable__') === 2, 'both inputs subscribed again');
    gem.publish('__anycable__', JSON.stringify({ stream: 'outage', data: '"after, from Rails"' }));
    await gem.flush();
    await receives(client, 'after, from Rails');
    await gem.close();
    expect(received(client, 'outage')).not.toContain('refused');
    expect(client.closeCode).toBeNull();
    client.close();
  }, 60_000);
});

describe('a node started while nats-server is down', () => {
  it('starts degraded, connects once the server is up, and then serves its streams over NATS', async () => {
    const server = await startNatsServer();
    await server.stop();
    const node = await startGateway({ public: true, pubsub: 'nats', nats_servers: server.url, node_id: 'late' });
    try {
      expect(await health(node)).toEqual({ status: 200, body: 'degraded: nats' });
      const client = await subscribed(node, 'late');
      await server.restart();
      await waitFor(async () => (await health(node)).body === 'Ok', 'the node to connect', 20_000);
      await waitFor(async () => count(await server.subjects(), 'late') === 1, 'the stream subscribed');
      expect(await postBroadcast(node.broadcastUrl, { stream: 'late', data: '"arrived"' })).toBe(201);
      await receives(client, 'arrived');
      client.close();
    } finally {
      await node.stop();
      await server.stop();
    }
  }, 60_000);
});

describe('a nats-server that requires a password', () => {
  it('takes the credentials from the server URL, as anycable-go does, and never logs the password', async () => {
    const server = await startNatsServer(['--user', 'cable', '--pass', 's3cr3t-pw']);
    const url = `nats://cable:s3cr3t-pw@127.0.0.1:${server.port}`;
    const node = await startGateway({ public: true, broadcast_adapter: 'nats', nats_servers: url, node_id: 'auth' });
    const rails = await connect({ servers: `127.0.0.1:${server.port}`, user: 'cable', pass: 's3cr3t-pw' });
    try {
      await waitFor(async () => (await health(node)).body === 'Ok', 'the node to connect');
      const client = await subscribed(node, 'guarded');
      rails.publish('__anycable__', JSON.stringify({ stream: 'guarded', data: '"let in"' }));
      await receives(client, 'let in');
      expect(node.output.some((line) => line.includes('adapter=nats') && line.includes('(user and password)'))).toBe(true);
      expect(node.output.filter((line) => line.includes('s3cr3t-pw'))).toEqual([]);
      client.close();
    } finally {
      await rails.close();
      await node.stop();
      await server.stop();
    }
  }, 30_000);
});

describe('the redis broker with the NATS broadcaster and NATS pub/sub', () => {
  interface Pair {
    readonly nodes: GatewayProcess[];
    readonly redis: RedisServer;
    readonly clients: RawClient[];
    /** Publishes the n-th message of `positioned` on __anycable__, as Rails does, n counting from 1. */
    publish(): Promise<void>;
    published(): number;
    /** The index of the node that does not hold the fan-out lease. */
    follower(): Promise<number>;
  }

  const positioned = (client: RawClient) =>
    client
      .messages()
      .filter((frame) => frame.message !== undefined)
      .map((frame) => `${String(frame.offset)}:${String(frame.message)}`);
  const expected = (n: number) => Array.from({ length: n }, (_, i) => `${i + 1}:${i + 1}`);

  /** Two nodes, each with an extended-protocol subscriber of `positioned`, and Rails publishing over NATS. */
  async function withPair(run: (pair: Pair) => Promise<void>): Promise<void> {
    const server = await startNatsServer();
    const redis = await startRedisServer();
    const nodes = await Promise.all(
      [0, 1].map((index) =>
        startGateway({
          public: true,
          broadcast_adapter: 'nats',
          pubsub: 'nats',
          nats_servers: server.url,
          broker: 'redis',
          redis_url: redis.url,
          node_id: `natsbroker${index}`,
          metrics_http: '/metrics',
        }),
      ),
    );
    const rails = await connect({ servers: server.url });
    const clients: RawClient[] = [];
    let n = 0;
    try {
      await Promise.all(nodes.map((node) => waitFor(async () => (await health(node)).body === 'Ok', 'the node to connect')));
      for (const node of nodes) {
        const client = await rawClient(node.url, { protocols: EXTENDED_PROTOCOLS });
        clients.push(client);
        await client.welcome();
        client.send({ command: 'subscribe', identifier: follow('positioned') });
        await client.next((frame) => frame.type === 'confirm_subscription', 'confirmation');
      }
      await waitFor(async () => count(await server.subjects(), 'positioned') === 2, 'both nodes subscribed');
      await run({
        nodes,
        redis,
        clients,
        publish: async () => {
          n += 1;
          rails.publish('__anycable__', JSON.stringify({ stream: 'positioned', data: String(n) }));
          await rails.flush();
        },
        published: () => n,
        follower: async () => {
          const holder = await redisCli(redis.port, 'GET', 'cableway:fanout:__anycable__:positioner');
          return nodes.findIndex((_, index) => `natsbroker${index}` !== holder);
        },
      });
    } finally {
      for (const client of clients) client.close();
      await rails.close();
      await Promise.all(nodes.map((node) => node.stop()));
      await redis.stop();
      await server.stop();
    }
  }

  /** Publishes every 2 ms, asking `done` after every ten, until it says so. */
  async function publishUntil(pair: Pair, done: () => boolean | Promise<boolean>): Promise<void> {
    while (!(await done())) {
      for (let i = 0; i < 10; i += 1) {
        await pair.publish();
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    }
  }

  /** Every publication once, in order, with contiguous offsets from 1, on `client`. */
  async function expectEveryPublication(pair: Pair, client: RawClient): Promise<void> {
    for (let i = 0; i < 5; i += 1) await pair.publish();
    // A timeout here is not the failure: the comparison below says what is missing or doubled.
    await waitFor(() => positioned(client).length >= pair.published(), 'every publication', 5_000).catch(() => undefined);
    expect(positioned(client)).toEqual(expected(pair.published()));
  }

  it('positions what Rails publishes on __anycable__ once for both nodes, and hands the turn over without a loss when the holder stops', async () => {
    await withPair(async (pair) => {
      for (let i = 0; i < 10; i += 1) await pair.publish();
      for (const client of pair.clients) await waitFor(() => positioned(client).length === 10, 'ten messages', 15_000);
      expect(pair.clients.map(positioned)).toEqual([expected(10), expected(10)]);
      const writes = await Promise.all(pair.nodes.map((node) => metricValue(node.httpUrl, 'cableway_history_writes_total')));
      expect(writes.reduce((sum, value) => sum + value, 0)).toBe(10);

      // The holder stops while Rails goes on publishing: the other node takes the turn over at its fence.
      const staying = await pair.follower();
      let stopped = false;
      const stop = pair.nodes[1 - staying]!.stop().then(() => (stopped = true));
      await publishUntil(pair, () => stopped);
      await stop;
      await expectEveryPublication(pair, pair.clients[staying]!);
    });
  }, 60_000);

  it('positions, once the holder died, what Rails published while nobody held the lease: each once, in order', async () => {
    await withPair(async (pair) => {
      const staying = await pair.follower();
      const node = pair.nodes[staying]!;
      // The holder's watermarks go by at its renewals (one a second): the staying node places what it hears.
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      await publishUntil(pair, () => pair.published() >= 100);
      await pair.nodes[1 - staying]!.stop('SIGKILL');
      const killedAt = pair.published();
      await publishUntil(
        pair,
        async () => (await metricValue(node.httpUrl, 'cableway_fanout_takeovers_total', '{how="free"}')) === 1,
      );
      expect(pair.published() - killedAt).toBeGreaterThan(300);
      await expectEveryPublication(pair, pair.clients[staying]!);
    });
  }, 60_000);
});
