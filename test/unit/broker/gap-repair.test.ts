import { HistoryError } from '../../../shared/src/errors';
import { Metrics } from '../../../shared/src/metrics';
import { createLogger } from '../../../shared/src/logger';
import type { StreamMessage, StreamPosition } from '../../../shared/src/publication';
import { GapRepair } from '../../../gateway/src/broker/gap-repair';
import type { PositionedHistory } from '../../../gateway/src/broker/gap-repair';
import { brokerCounters } from '../../../gateway/src/metrics/broker';

const at = (offset: number, epoch = 'e'): StreamMessage => ({ stream: 's', data: String(offset), position: { epoch, offset } });

/** A history holding offsets 1..`latest`, answering when the test lets it. */
function historyUpTo(latest: number) {
  const asked: StreamPosition[] = [];
  let answer!: () => void;
  const history: PositionedHistory = {
    latest: async () => ({ epoch: 'e', offset: latest }),
    after: (_stream, position) => {
      asked.push(position);
      return new Promise((resolve) => {
        answer = () => resolve(Array.from({ length: latest - position.offset }, (_, index) => at(position.offset + index + 1)));
      });
    },
    since: async () => [],
  };
  return { history, asked, answer: () => answer() };
}

function setup(history: PositionedHistory) {
  const delivered: number[] = [];
  const metrics = new Metrics('test_');
  const repair = new GapRepair(
    history,
    { broadcast: (message) => delivered.push(message.position?.offset ?? -1) },
    brokerCounters(metrics),
    createLogger({ level: 'error', format: 'text', sink: () => undefined }),
  );
  return { repair, delivered };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('gap repair', () => {
  it('hands on messages in offset order and drops duplicates', () => {
    const { repair, delivered } = setup(historyUpTo(0).history);
    for (const offset of [1, 2, 2, 3, 1]) repair.broadcast(at(offset));
    expect(delivered).toEqual([1, 2, 3]);
  });

  it('fills a gap from the history before the messages that came after it', async () => {
    const { history, asked, answer } = historyUpTo(5);
    const { repair, delivered } = setup(history);
    repair.broadcast(at(1));
    repair.broadcast(at(4));
    repair.broadcast(at(5));
    expect(delivered).toEqual([1]);
    expect(asked).toEqual([{ epoch: 'e', offset: 1 }]);
    answer();
    await settle();
    expect(delivered).toEqual([1, 2, 3, 4, 5]);
  });

  it('delivers what it has when the history cannot fill the gap', async () => {
    const { repair, delivered } = setup({
      latest: async () => null,
      after: async () => {
        throw new HistoryError('trimmed');
      },
      since: async () => [],
    });
    repair.broadcast(at(1));
    repair.broadcast(at(9));
    await settle();
    expect(delivered).toEqual([1, 9]);
  });

  it('starts over on a new epoch, and passes messages without a position', () => {
    const { repair, delivered } = setup(historyUpTo(0).history);
    repair.broadcast(at(7));
    repair.broadcast(at(1, 'new'));
    repair.broadcast({ stream: 's', data: 'whisper' });
    expect(delivered).toEqual([7, 1, -1]);
  });

  it('puts messages in order from the first one once it knows where a newly served stream stands', async () => {
    const { history } = historyUpTo(3);
    const { repair, delivered } = setup(history);
    repair.open('s');
    repair.broadcast(at(5));
    repair.broadcast(at(4));
    await settle();
    expect(delivered).toEqual([4, 5]);
  });

  it('expects offset 1 first on a stream that had no history when the node started serving it', async () => {
    const { history, answer } = historyUpTo(2);
    const { repair, delivered } = setup({ ...history, latest: async () => null });
    repair.open('s');
    await settle();
    repair.broadcast(at(2));
    repair.broadcast(at(1));
    answer();
    await settle();
    expect(delivered).toEqual([1, 2]);
  });
});
