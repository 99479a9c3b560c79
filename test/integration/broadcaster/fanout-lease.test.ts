import type { FenceLine, PositioningTurn } from '../../../broadcaster/src/adapters/adapter';
import type { PositionedLookup, PositionedOrigin } from '../../../broadcaster/src/fanout-backlog';
import { FanoutLease, type PositionedRelay } from '../../../broadcaster/src/fanout-lease';
import type { FanoutTakeover } from '../../../broadcaster/src/metrics';
import { DEFAULT_TUNING, type BusTuning } from '../../../broadcaster/src/tuning';
import { createLogger } from '../../../shared/src/logger';
import { createRedisConnection, type RedisConnection } from '../../../shared/src/redis/connect';
import { waitFor } from '../../support/wait';
import { redisConfig, useRedisServer } from './harness';
import { startSilencingProxy } from './tcp-proxy';

const redis = useRedisServer();
// Renewals far enough apart for a busy machine: the offer must be taken within one and a half of them.
const TUNING: BusTuning = { ...DEFAULT_TUNING, leaseRenewMs: 300, leaseTtlMs: 1200 };
const KEY = 'cableway:fanout:__anycable__:positioner';

/**
 * One fan-out input every node hears: a fence sent through it reaches every node's turn, in sending order.
 * What a node positions is recorded with its origin, as a stream's history keeps it.
 */
class SharedInput implements PositionedLookup {
  readonly turns: PositioningTurn[] = [];
  /** What each turn's node positioned of what the input carried, by node. */
  readonly positioned = new Map<string, number[]>();
  private readonly history: PositionedOrigin[] = [];
  private readonly carriers = new Map<string, (n: number) => void>();
  private readonly lines = new Map<string, PositioningTurn>();

  /** Where a node's turn positions: the node's list and the history. */
  relayOf(node: string): PositionedRelay {
    const positioned: number[] = [];
    this.positioned.set(node, positioned);
    return (message, origin) => {
      positioned.push(Number(message.data));
      this.history.push({ origin, data: message.data });
    };
  }

  join(node: string, turn: PositioningTurn, fences = true): void {
    this.turns.push(turn);
    this.lines.set(node, turn);
    const line: FenceLine = {
      listen: () => Promise.resolve(),
      send: async (fence) => {
        if (fences) for (const heard of this.lines.values()) heard.fenceHeard(fence);
      },
    };
    turn.handOverThrough(line);
    this.carriers.set(node, (n) => turn.deliver({ stream: 'stream', data: String(n) }));
  }

  carry(n: number): void {
    for (const carrier of this.carriers.values()) carrier(n);
  }

  /** A node that died hears nothing more. */
  deafen(node: string): void {
    this.carriers.delete(node);
    this.lines.delete(node);
  }

  /** Set to make the histories unreadable, as with Redis down. */
  unreadable = false;

  async lastPositioned(_stream: string, input: string): Promise<PositionedOrigin | null> {
    if (this.unreadable) throw new Error('Redis is not connected');
    for (let index = this.history.length - 1; index >= 0; index -= 1) {
      if (this.history[index]!.origin.startsWith(`${input} `)) return this.history[index]!;
    }
    return null;
  }
}

const logs: string[] = [];
const logger = createLogger({ level: 'info', format: 'text', sink: (line) => logs.push(line) });
const connections: RedisConnection[] = [];
const leases: FanoutLease[] = [];

/** What each node positioned from its backlog. */
const recovered = new Map<string, number>();

/** Each node's takeovers, by how. */
const takeovers = new Map<string, Record<FanoutTakeover, number>>();

function leaseOf(node: string, input: SharedInput, fences = true, redisUrl = redis.server.url): FanoutLease {
  const connection = createRedisConnection(redisConfig(redisUrl), 'commands', logger);
  connections.push(connection);
  const counts = { fence: 0, no_fence: 0, free: 0 };
  takeovers.set(node, counts);
  recovered.set(node, 0);
  const tally = (how: FanoutTakeover) => ({ inc: () => void (counts[how] += 1) });
  const lease = new FanoutLease(connection, '__anycable__', node, {
    tuning: TUNING,
    logger,
    takeovers: { fence: tally('fence'), no_fence: tally('no_fence'), free: tally('free') },
    recovered: { inc: (count = 1) => void recovered.set(node, recovered.get(node)! + count) },
    positioned: input,
    relay: input.relayOf(node),
  });
  input.join(node, lease.turn('redis'), fences);
  leases.push(lease);
  return lease;
}

/** Starts the leases, then has the input carry a publication every millisecond once two watermarks passed. */
async function carrying(input: SharedInput, ...leases: FanoutLease[]): Promise<{ carried(): number; stop(): number }> {
  for (const lease of leases) await lease.start();
  let n = 0;
  const timer = setInterval(() => input.carry(++n), 1);
  // Watermarks go by at the holder's renewals: let two of them pass.
  await new Promise((resolve) => setTimeout(resolve, TUNING.leaseRenewMs * 2.5));
  return {
    carried: () => n,
    stop: () => {
      clearInterval(timer);
      return n;
    },
  };
}

// A test that failed half-way leaves no lease renewing, nor its key, to the next one.
afterEach(async () => {
  await Promise.all(leases.splice(0).map((lease) => lease.shutdown()));
  // Not quit: a connection a test cut off would wait for its answer.
  for (const connection of connections.splice(0)) connection.disconnect();
  await redis.client.del(KEY);
  logs.length = 0;
});

describe('the fan-out lease', () => {
  test('passes the turn at the fence: what the input carried is positioned once, by one node or the other', async () => {
    const input = new SharedInput();
    const [a, b] = [leaseOf('a', input), leaseOf('b', input)];
    await a.start();
    await b.start();
    expect(input.turns.map((turn) => turn.held)).toEqual([true, false]);

    let n = 0;
    const carrying = setInterval(() => input.carry(++n), 1);
    await a.shutdown();
    await waitFor(() => input.turns[1]!.held, 'b to hold the turn');
    clearInterval(carrying);

    const [byA, byB] = [input.positioned.get('a')!, input.positioned.get('b')!];
    expect(byA.length).toBeGreaterThan(0);
    expect(byB.length).toBeGreaterThan(0);
    expect([...byA, ...byB]).toEqual(Array.from({ length: n }, (_, index) => index + 1));
    expect(await redis.client.get(KEY)).toBe('b');
    expect(logs.join('\n')).toContain('handed fan-out positioning over to another node');
    expect([takeovers.get('a'), takeovers.get('b')]).toEqual([
      { fence: 0, no_fence: 0, free: 1 },
      { fence: 1, no_fence: 0, free: 0 },
    ]);
    await b.shutdown();
  });

  test('positions, once its holder died, what it had left and what came while nobody held the lease: each once', async () => {
    const input = new SharedInput();
    const [a, b] = [leaseOf('a', input), leaseOf('b', input)];
    const connectionOfA = connections[0]!;
    const carry = await carrying(input, a, b);
    input.deafen('a');
    connectionOfA.disconnect();
    await waitFor(() => input.turns[1]!.held, 'b to take the lapsed lease', TUNING.leaseTtlMs * 3);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const n = carry.stop();

    const [byA, byB] = [input.positioned.get('a')!, input.positioned.get('b')!];
    // What came during the lapse (a lease TTL at 1 per ms) is b's.
    expect(byB.length).toBeGreaterThan(TUNING.leaseTtlMs / 4);
    expect([...byA, ...byB]).toEqual(Array.from({ length: n }, (_, index) => index + 1));
    expect(takeovers.get('b')).toEqual({ fence: 0, no_fence: 0, free: 1 });
    expect(recovered.get('b')).toBeGreaterThan(0);
    expect(logs.join('\n')).toContain('positioned what was kept and no node had positioned');
    await b.shutdown();
  });

  test('stops positioning once its renewals go unanswered past the lease, so that a cut-off holder doubles nothing', async () => {
    const proxy = await startSilencingProxy(redis.server.port);
    const input = new SharedInput();
    const [a, b] = [leaseOf('a', input, true, proxy.url), leaseOf('b', input)];
    const connectionOfA = connections[0]!;
    const carry = await carrying(input, a, b);
    // a still hears the input, but its renewals reach Redis no more, nor do their answers come back.
    proxy.stall();
    await waitFor(() => input.turns[1]!.held, 'b to take the lapsed lease', TUNING.leaseTtlMs * 3);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const n = carry.stop();

    const [byA, byB] = [input.positioned.get('a')!, input.positioned.get('b')!];
    expect(input.turns[0]!.held).toBe(true);
    expect(byB.length).toBeGreaterThan(0);
    expect([...byA, ...byB].sort((x, y) => x - y)).toEqual(Array.from({ length: n }, (_, index) => index + 1));
    connectionOfA.disconnect();
    await proxy.close();
  });

  test('positions, once its renewals are answered again, what it kept while they were not: in order', async () => {
    const proxy = await startSilencingProxy(redis.server.port);
    const input = new SharedInput();
    const carry = await carrying(input, leaseOf('alone', input, true, proxy.url));
    proxy.stall();
    // Longer than the lease is sure, which ends half a renewal before its TTL.
    await new Promise((resolve) => setTimeout(resolve, TUNING.leaseTtlMs));
    const keptFrom = carry.carried();
    proxy.resume();
    await waitFor(() => recovered.get('alone')! > 0, 'what was kept to be positioned', TUNING.leaseTtlMs * 3);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const n = carry.stop();
    await waitFor(() => input.positioned.get('alone')!.length >= n, 'the last ones', TUNING.leaseTtlMs * 2);

    expect(input.positioned.get('alone')).toEqual(Array.from({ length: n }, (_, index) => index + 1));
    expect(recovered.get('alone')).toBeLessThan(n - keptFrom + TUNING.leaseTtlMs);
    expect(takeovers.get('alone')).toEqual({ fence: 0, no_fence: 0, free: 1 });
    await proxy.close();
  });

  test('takes a lapsed lease even when the histories cannot be read, and says what it left', async () => {
    const input = new SharedInput();
    const [a, b] = [leaseOf('a', input), leaseOf('b', input)];
    const connectionOfA = connections[0]!;
    await a.start();
    await b.start();
    await new Promise((resolve) => setTimeout(resolve, TUNING.leaseRenewMs * 2.5));
    input.deafen('a');
    connectionOfA.disconnect();
    input.unreadable = true;
    input.carry(1);
    await waitFor(() => input.turns[1]!.held, 'b to take the lapsed lease', TUNING.leaseTtlMs * 3);

    expect(input.positioned.get('b')).toEqual([]);
    expect(recovered.get('b')).toBe(0);
    expect(logs.join('\n')).toContain('could not be read against the histories: not positioned');
    expect(logs.join('\n')).toContain('Redis is not connected');
    await b.shutdown();
  });

  test('gives the lease up when no node takes the offer within a renewal and a half', async () => {
    const input = new SharedInput();
    const alone = leaseOf('alone', input);
    await alone.start();
    const started = Date.now();
    await alone.shutdown();

    expect(Date.now() - started).toBeGreaterThanOrEqual(TUNING.leaseRenewMs * 1.5 - 5);
    expect(await redis.client.get(KEY)).toBeNull();
    expect(input.turns[0]!.held).toBe(false);
    expect(logs.join('\n')).toContain('no node took fan-out positioning over: giving the lease up');
  });

  test('takes the turn after the lease would have lapsed when its fence is never heard, losing nothing, and says so', async () => {
    const input = new SharedInput();
    const [a, b] = [leaseOf('a', input), leaseOf('b', input, false)];
    const carry = await carrying(input, a, b);
    const stopping = a.shutdown();
    await waitFor(async () => (await redis.client.get(KEY)) === 'b', 'b to take the offer');
    expect(input.turns[1]!.held).toBe(false);
    await stopping;

    await waitFor(() => input.turns[1]!.held, 'b to hold the turn', TUNING.leaseTtlMs * 3);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const n = carry.stop();
    const [byA, byB] = [input.positioned.get('a')!, input.positioned.get('b')!];
    expect([...byA, ...byB]).toEqual(Array.from({ length: n }, (_, index) => index + 1));
    expect(recovered.get('b')).toBeGreaterThan(0);
    expect(logs.join('\n')).toContain('a fan-out input was taken over without its fence');
    expect(takeovers.get('b')).toEqual({ fence: 0, no_fence: 1, free: 0 });
    await b.shutdown();
  });
});
