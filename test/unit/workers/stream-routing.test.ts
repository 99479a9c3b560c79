import type { StreamMessage } from '../../../shared/src/publication';
import type { PrimaryMessage } from '../../../gateway/src/workers/messages';
import { StreamRouting, type RoutedWorker } from '../../../gateway/src/workers/stream-routing';

class FakeWorker implements RoutedWorker {
  readonly streams = new Set<string>();
  readonly posted: PrimaryMessage[] = [];
  readonly delivered: string[] = [];
  post(message: PrimaryMessage): void {
    this.posted.push(message);
  }
  deliver(message: StreamMessage): void {
    this.delivered.push(`${message.stream}:${message.data}`);
  }
}

/** The node's side: which streams it listens to. */
function listener() {
  const events: string[] = [];
  return {
    events,
    subscribe: (stream: string) => {
      events.push(`+${stream}`);
      return Promise.resolve();
    },
    unsubscribe: (stream: string) => void events.push(`-${stream}`),
  };
}

const message = (stream: string, data: string): StreamMessage => ({ stream, data });

describe('StreamRouting', () => {
  it('listens to a stream once, whatever its workers, until the last one leaves', async () => {
    const node = listener();
    const routing = new StreamRouting(node);
    const [a, b] = [new FakeWorker(), new FakeWorker()];
    routing.subscribe(a, 's');
    routing.subscribe(b, 's');
    routing.unsubscribe(a, 's');
    expect(node.events).toEqual(['+s']);
    routing.unsubscribe(b, 's');
    expect(node.events).toEqual(['+s', '-s']);
    await Promise.resolve();
    expect(a.posted).toEqual([{ type: 'subscribed', stream: 's' }]);
  });

  it('delivers each message to the workers serving its stream only', () => {
    const routing = new StreamRouting(listener());
    const [a, b] = [new FakeWorker(), new FakeWorker()];
    routing.subscribe(a, 'one');
    routing.subscribe(b, 'two');
    routing.subscribe(b, 'one');
    routing.deliver(message('one', '1'));
    routing.deliver(message('two', '2'));
    routing.deliver(message('three', '3'));
    expect(a.delivered).toEqual(['one:1']);
    expect(b.delivered).toEqual(['one:1', 'two:2']);
  });

  it('forgets every stream of a worker that exited, and stops listening to those no one else serves', () => {
    const node = listener();
    const routing = new StreamRouting(node);
    const [a, b] = [new FakeWorker(), new FakeWorker()];
    routing.subscribe(a, 'shared');
    routing.subscribe(a, 'own');
    routing.subscribe(b, 'shared');
    routing.forget(a);
    expect(node.events).toEqual(['+shared', '+own', '-own']);
    routing.deliver(message('shared', 'x'));
    expect(a.delivered).toEqual([]);
    expect(b.delivered).toEqual(['shared:x']);
  });
});
