import type { FenceLine, PositioningTurn } from '../../../broadcaster/src/adapters/adapter';
import { FanoutLease } from '../../../broadcaster/src/fanout-lease';
import type { FanoutTakeover } from '../../../broadcaster/src/metrics';
import { DEFAULT_TUNING, type BusTuning } from '../../../broadcaster/src/tuning';
import { createLogger } from '../../../shared/src/logger';
import { createRedisConnection, type RedisConnection } from '../../../shared/src/redis/connect';
import { waitFor } from '../../support/wait';
import { redisConfig, useRedisServer } from './harness';

const redis = useRedisServer();
// Renewals far enough apart for a busy machine: the offer must be taken within one and a half of them.
const TUNING: BusTuning = { ...DEFAULT_TUNING, leaseRenewMs: 300, leaseTtlMs: 1200 };
const KEY = 'cableway:fanout:__anycable__:positioner';

/** One fan-out input every node hears: a fence sent through it reaches every node's turn, in sending order. */
class SharedInput {
  readonly turns: PositioningTurn[] = [];
  /** What each turn's node positioned of what the input carried, by node. */
  readonly positioned = new Map<string, number[]>();
  private readonly carriers: Array<(n: number) => void> = [];

  join(node: string, turn: PositioningTurn, fences = true): void {
    this.turns.push(turn);
    this.positioned.set(node, []);
    const line: FenceLine = {
      listen: () => Promise.resolve(),
      send: async (fence) => {
        if (fences) for (const heard of this.turns) heard.fenceHeard(fence);
      },
    };
    turn.handOverThrough(line);
    const positioned = this.positioned.get(node)!;
    this.carriers.push((n) => turn.held && positioned.push(n));
  }

  carry(n: number): void {
    for (const carrier of this.carriers) carrier(n);
  }
}

const logs: string[] = [];
const logger = createLogger({ level: 'info', format: 'text', sink: (line) => logs.push(line) });
const connections: RedisConnection[] = [];
const leases: FanoutLease[] = [];

/** Each node's takeovers, by how. */
const takeovers = new Map<string, Record<FanoutTakeover, number>>();

function leaseOf(node: string, input: SharedInput, fences = true): FanoutLease {
  const connection = createRedisConnection(redisConfig(redis.server.url), 'commands', logger);
  connections.push(connection);
  const counts = { fence: 0, no_fence: 0, free: 0 };
  takeovers.set(node, counts);
  const tally = (how: FanoutTakeover) => ({ inc: () => void (counts[how] += 1) });
  const lease = new FanoutLease(connection, '__anycable__', node, TUNING, logger, {
    fence: tally('fence'),
    no_fence: tally('no_fence'),
    free: tally('free'),
  });
  input.join(node, lease.turn(), fences);
  leases.push(lease);
  return lease;
}

// A test that failed half-way leaves no lease renewing, nor its key, to the next one.
afterEach(async () => {
  await Promise.all(leases.splice(0).map((lease) => lease.shutdown()));
  await Promise.all(connections.splice(0).map((connection) => connection.quit()));
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

  test('takes the turn after the lease would have lapsed when its fence is never heard, and says so', async () => {
    const input = new SharedInput();
    const [a, b] = [leaseOf('a', input), leaseOf('b', input, false)];
    await a.start();
    await b.start();
    const stopping = a.shutdown();
    await waitFor(async () => (await redis.client.get(KEY)) === 'b', 'b to take the offer');
    expect(input.turns[1]!.held).toBe(false);
    await stopping;

    await waitFor(() => input.turns[1]!.held, 'b to hold the turn', TUNING.leaseTtlMs * 3);
    expect(logs.join('\n')).toContain('a fan-out input was taken over without its fence');
    expect(takeovers.get('b')).toEqual({ fence: 0, no_fence: 1, free: 0 });
    await b.shutdown();
  });
});
