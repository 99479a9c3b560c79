import {
  FanoutBacklog,
  MAX_KEPT,
  MAX_KEPT_CHARS,
  type PositionedLookup,
  type PositionedOrigin,
} from '../../../broadcaster/src/fanout-backlog';
import type { StreamMessage } from '../../../shared/src/publication';

/** The newest positioned message of each stream, as its history would answer. */
function historyOf(newest: Record<string, PositionedOrigin>): PositionedLookup {
  return { lastPositioned: async (stream) => newest[stream] ?? null };
}

/** A follower's backlog: every message is heard (given its origin) and kept. */
function hearing(backlog: FanoutBacklog, message: StreamMessage): string {
  const origin = backlog.next();
  backlog.keep(message, origin);
  return origin;
}

const message = (stream: string, n: number): StreamMessage => ({ stream, data: JSON.stringify({ n }) });
const dataOf = (taken: { unpositioned: ReadonlyArray<{ message: StreamMessage }> }) =>
  taken.unpositioned.map((entry) => `${entry.message.stream}:${entry.message.data}`);

describe('the fan-out backlog', () => {
  test('places each publication by the latest watermark and its count after it', () => {
    const backlog = new FanoutBacklog('redis');
    expect(backlog.next()).toBe('redis  1');
    backlog.watermark('node a/9f.1');
    expect([backlog.next(), backlog.next()]).toEqual(['redis node a/9f.1 1', 'redis node a/9f.1 2']);
    backlog.watermark('node a/9f.2');
    expect(backlog.next()).toBe('redis node a/9f.2 1');
  });

  test('gives back, per stream, what follows the newest message its history holds, in the order heard', async () => {
    const backlog = new FanoutBacklog('redis');
    backlog.watermark('a/1');
    const origins = [1, 2, 3, 4, 5, 6].map((n) => hearing(backlog, message(n % 2 === 0 ? 'even' : 'odd', n)));
    const taken = await backlog.takeBack(
      historyOf({
        odd: { origin: origins[2]!, data: message('odd', 3).data },
        even: { origin: origins[1]!, data: message('even', 2).data },
      }),
    );
    expect(dataOf(taken)).toEqual(['even:{"n":4}', 'odd:{"n":5}', 'even:{"n":6}']);
    expect(taken.mismatched).toEqual([]);
  });

  test('gives back all of a stream whose history holds nothing of the input, or only what predates the backlog', async () => {
    const backlog = new FanoutBacklog('redis');
    backlog.watermark('a/1');
    hearing(backlog, message('fresh', 1));
    hearing(backlog, message('quiet', 2));
    const taken = await backlog.takeBack(historyOf({ quiet: { origin: 'redis a/0 40', data: '{}' } }));
    expect(dataOf(taken)).toEqual(['fresh:{"n":1}', 'quiet:{"n":2}']);
  });

  test('gives back all it kept of a stream whose newest positioned message came just before it kept any', async () => {
    // A holder whose lease was not sure for a while: it positioned the first two, then kept.
    const backlog = new FanoutBacklog('redis');
    backlog.watermark('a/1');
    const positioned = [backlog.next(), backlog.next()];
    hearing(backlog, message('s', 3));
    hearing(backlog, message('s', 4));
    const taken = await backlog.takeBack(historyOf({ s: { origin: positioned[1]!, data: message('s', 2).data } }));
    expect(dataOf(taken)).toEqual(['s:{"n":3}', 's:{"n":4}']);
    expect(taken.mismatched).toEqual([]);
  });

  test('leaves alone a stream whose history does not hold, in its place, what this node heard there', async () => {
    const backlog = new FanoutBacklog('redis');
    backlog.watermark('a/1');
    const first = hearing(backlog, message('chat', 1));
    hearing(backlog, message('chat', 2));
    hearing(backlog, message('news', 3));
    const taken = await backlog.takeBack(
      historyOf({ chat: { origin: first, data: '{"n":99}' }, news: { origin: 'redis a/1 7', data: '{}' } }),
    );
    expect(dataOf(taken)).toEqual([]);
    expect([...taken.mismatched].sort()).toEqual(['chat', 'news']);
  });

  test('keeps what came since the watermark before the latest, nothing before the first, and no transient message', async () => {
    const backlog = new FanoutBacklog('redis');
    hearing(backlog, message('s', 0));
    backlog.watermark('a/1');
    hearing(backlog, message('s', 1));
    backlog.watermark('a/2');
    hearing(backlog, message('s', 2));
    hearing(backlog, { stream: 's', data: '{"typing":true}', meta: { transient: true } });
    backlog.watermark('a/3');
    hearing(backlog, message('s', 3));
    const taken = await backlog.takeBack(historyOf({}));
    expect(dataOf(taken)).toEqual(['s:{"n":2}', 's:{"n":3}']);
  });

  test('lets the oldest tenth go when it holds more messages than its bound', async () => {
    const backlog = new FanoutBacklog('redis');
    backlog.watermark('a/1');
    for (let n = 1; n <= MAX_KEPT + 1; n += 1) hearing(backlog, message('s', n));
    const { unpositioned } = await backlog.takeBack(historyOf({}));
    const dropped = Math.ceil((MAX_KEPT + 1) / 10);
    expect(unpositioned.length).toBe(MAX_KEPT + 1 - dropped);
    expect(unpositioned[0]!.message.data).toBe(message('s', dropped + 1).data);
  });

  test('lets the oldest go when the data it holds would pass its bound in characters', async () => {
    const backlog = new FanoutBacklog('redis');
    backlog.watermark('a/1');
    const large = 'x'.repeat(MAX_KEPT_CHARS / 8 - 10);
    for (let n = 1; n <= 9; n += 1) hearing(backlog, { stream: 's', data: JSON.stringify(`${n}${large}`) });
    const { unpositioned } = await backlog.takeBack(historyOf({}));
    // The ninth passes the bound: the oldest tenth of nine (one message) goes, and the rest fit again.
    expect(unpositioned.map((entry) => entry.message.data.slice(1, 2))).toEqual(['2', '3', '4', '5', '6', '7', '8', '9']);
  });

  test('gives nothing back once cleared: the node positions from then on', async () => {
    const backlog = new FanoutBacklog('redis');
    backlog.watermark('a/1');
    hearing(backlog, message('s', 1));
    backlog.clear();
    expect(dataOf(await backlog.takeBack(historyOf({})))).toEqual([]);
  });
});
