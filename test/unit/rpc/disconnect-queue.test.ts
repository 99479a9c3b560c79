import type { DisconnectRequest, Disconnector } from '../../../gateway/src/core/controller';
import { DisconnectQueue, type DisconnectQueueOptions } from '../../../gateway/src/rpc/disconnect-queue';
import { ErrorCode, RpcError } from '../../../shared/src/errors';
import { createLogger } from '../../../shared/src/logger';
import { Metrics } from '../../../shared/src/metrics';

function request(sid: string): DisconnectRequest {
  return {
    sid,
    identifiers: '',
    subscriptions: [],
    env: { url: 'http://example.com/cable', headers: {} },
    cstate: {},
    istate: {},
  };
}

/** A Disconnector that notes when each call starts and answers as `answer` says. */
class RecordingDisconnector implements Disconnector {
  readonly started: { sid: string; at: number }[] = [];

  constructor(private readonly answer: (sid: string) => Promise<void> = () => Promise.resolve()) {}

  disconnect(req: DisconnectRequest): Promise<void> {
    this.started.push({ sid: req.sid, at: Date.now() });
    return this.answer(req.sid);
  }

  get sids(): string[] {
    return this.started.map((call) => call.sid);
  }
}

function setup(options: DisconnectQueueOptions, target = new RecordingDisconnector()) {
  const lines: string[] = [];
  const metrics = new Metrics('cableway_');
  const logger = createLogger({ level: 'info', format: 'text', sink: (line) => lines.push(line) });
  return { queue: new DisconnectQueue(target, options, metrics, logger), target, metrics, lines };
}

describe('DisconnectQueue', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  test('starts one call every 1000/ratePerSec milliseconds', async () => {
    const { queue, target } = setup({ ratePerSec: 100, backlog: 4096 });
    for (let i = 0; i < 10; i += 1) void queue.disconnect(request(`s${i}`));

    await jest.advanceTimersByTimeAsync(45);
    expect(target.sids).toEqual(['s0', 's1', 's2', 's3', 's4']);
    const gaps = target.started.slice(1).map((call, i) => call.at - target.started[i].at);
    expect(gaps).toEqual([10, 10, 10, 10]);
  });

  test('keeps to the rate for a call that arrives right after the previous one started', async () => {
    const { queue, target } = setup({ ratePerSec: 10, backlog: 4096 });
    void queue.disconnect(request('first'));
    await jest.advanceTimersByTimeAsync(0);
    void queue.disconnect(request('second'));

    await jest.advanceTimersByTimeAsync(99);
    expect(target.sids).toEqual(['first']);
    await jest.advanceTimersByTimeAsync(1);
    expect(target.sids).toEqual(['first', 'second']);
  });

  test('reports the waiting calls in the disconnect_queue_size gauge', async () => {
    const { queue, metrics } = setup({ ratePerSec: 1, backlog: 4096 });
    for (let i = 0; i < 3; i += 1) void queue.disconnect(request(`s${i}`));
    await jest.advanceTimersByTimeAsync(0);

    const gauge = await metrics.registry.getSingleMetric('cableway_disconnect_queue_size')!.get();
    expect(gauge.values[0].value).toBe(2);
  });

  test('makes the oldest call at once when the backlog is full instead of dropping one', () => {
    const { queue, target } = setup({ ratePerSec: 1, backlog: 2 });
    for (const sid of ['s0', 's1', 's2', 's3']) void queue.disconnect(request(sid));

    expect(target.sids).toEqual(['s0', 's1']);
  });

  test('logs a failed call as a warning and resolves instead of rejecting', async () => {
    const failing = new RecordingDisconnector(() => Promise.reject(new RpcError(ErrorCode.RpcFailed, 'unreachable')));
    const { queue, lines } = setup({ ratePerSec: 100, backlog: 4096 }, failing);

    const made = queue.disconnect(request('s1'));
    await jest.advanceTimersByTimeAsync(0);

    await expect(made).resolves.toBeUndefined();
    expect(lines).toEqual([expect.stringMatching(/WRN Disconnect call failed .*sid=s1 code=CW_ERR_RPC_FAILED/)]);
  });

  test('drain makes every waiting call at once and resolves when they are made', async () => {
    const { queue, target } = setup({ ratePerSec: 1, backlog: 4096 });
    for (let i = 0; i < 5; i += 1) void queue.disconnect(request(`s${i}`));

    await queue.drain(Date.now() + 1000);
    expect(target.sids).toEqual(['s0', 's1', 's2', 's3', 's4']);
  });

  test('drain gives up waiting for unanswered calls at its deadline', async () => {
    const { queue } = setup({ ratePerSec: 100, backlog: 4096 }, new RecordingDisconnector(() => new Promise(() => {})));
    void queue.disconnect(request('s1'));
    let drained = false;
    void queue.drain(Date.now() + 500).then(() => (drained = true));

    await jest.advanceTimersByTimeAsync(499);
    expect(drained).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    expect(drained).toBe(true);
  });

  test('makes calls that arrive during drain at once', async () => {
    const { queue, target } = setup({ ratePerSec: 1, backlog: 4096 });
    await queue.drain(Date.now() + 1000);
    void queue.disconnect(request('late'));

    expect(target.sids).toEqual(['late']);
  });
});
