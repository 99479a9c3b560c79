import { ErrorCode } from '../../../shared/src/errors';
import { MemoryHistory } from '../../../gateway/src/broker/memory-history';
import { MemorySessionStore } from '../../../gateway/src/broker/memory-sessions';

function history(limit = 3, ttlSec = 60) {
  let now = 1000;
  const clock = { advance: (seconds: number) => (now += seconds) };
  return { history: new MemoryHistory({ limit, ttlSec }, () => now), clock };
}

const offsets = (messages: readonly { position?: { offset: number } }[]) => messages.map((m) => m.position?.offset);
const unavailable = expect.objectContaining({ code: ErrorCode.HistoryUnavailable });

describe('memory history', () => {
  it('gives each stream its own offsets from 1 under the node epoch', () => {
    const { history: h } = history();
    expect(h.record({ stream: 'a', data: '1' }).position).toEqual({ epoch: h.epoch, offset: 1 });
    expect(h.record({ stream: 'a', data: '2' }).position).toEqual({ epoch: h.epoch, offset: 2 });
    expect(h.record({ stream: 'b', data: '1' }).position).toEqual({ epoch: h.epoch, offset: 1 });
  });

  it('never positions nor keeps transient messages', async () => {
    const { history: h } = history();
    const whisper = { stream: 'a', data: '1', meta: { transient: true } };
    expect(h.record(whisper)).toBe(whisper);
    expect(await h.since('a', 0)).toEqual([]);
  });

  it('answers what came after a position, and refuses positions it cannot continue', async () => {
    const { history: h } = history(3);
    for (let i = 1; i <= 5; i += 1) h.record({ stream: 'a', data: String(i) });
    expect(offsets(await h.after('a', { epoch: h.epoch, offset: 2 }))).toEqual([3, 4, 5]);
    expect(await h.after('a', { epoch: h.epoch, offset: 5 })).toEqual([]);
    await expect(h.after('a', { epoch: h.epoch, offset: 1 })).rejects.toEqual(unavailable);
    await expect(h.after('a', { epoch: 'other', offset: 4 })).rejects.toEqual(unavailable);
    await expect(h.after('a', { epoch: h.epoch, offset: 9 })).rejects.toEqual(unavailable);
    await expect(h.after('nothing', { epoch: h.epoch, offset: 1 })).rejects.toEqual(unavailable);
  });

  it('answers what was stored since a time, and forgets messages older than its TTL', async () => {
    const { history: h, clock } = history(10, 60);
    h.record({ stream: 'a', data: '1' });
    clock.advance(30);
    h.record({ stream: 'a', data: '2' });
    expect(offsets(await h.since('a', 1010))).toEqual([2]);
    clock.advance(40);
    expect(offsets(await h.since('a', 0))).toEqual([2]);
    await expect(h.after('a', { epoch: h.epoch, offset: 0 })).rejects.toEqual(unavailable);
    expect(offsets(await h.after('a', { epoch: h.epoch, offset: 1 }))).toEqual([2]);
  });

  it('keeps an idle stream offset counter after its messages expired', () => {
    const { history: h, clock } = history(10, 60);
    h.record({ stream: 'a', data: '1' });
    clock.advance(120);
    h.sweep();
    expect(h.record({ stream: 'a', data: '2' }).position?.offset).toBe(2);
  });
});

describe('memory session store', () => {
  it('keeps a session for its TTL, as a copy', async () => {
    let now = 0;
    const store = new MemorySessionStore(10, () => now);
    const snapshot = {
      identifiers: '{"u":1}',
      cstate: null,
      rpcInterest: false,
      subscriptions: { i: { streams: ['s'], istate: null } },
    };
    await store.save('sid', snapshot);
    const loaded = await store.load('sid');
    expect(loaded).toEqual(snapshot);
    expect(loaded).not.toBe(snapshot);
    now = 10_000;
    expect(await store.load('sid')).toBeNull();
  });
});
