import { ChannelReconciler, type ChannelCommands, type ReconcilerTimers } from '../../../broadcaster/src/reconciler';

interface Sent {
  readonly command: 'subscribe' | 'unsubscribe';
  readonly channels: readonly string[];
  answer(): void;
  fail(): void;
}

/** Records every command, each answered by the test; runs the flush and retries only when told. */
function harness(batchSize?: number) {
  const sent: Sent[] = [];
  const record = (command: Sent['command']) => (channels: readonly string[]) =>
    new Promise<void>((resolve, reject) => {
      sent.push({ command, channels: [...channels], answer: resolve, fail: () => reject(new Error('link broke')) });
    });
  const commands: ChannelCommands = { subscribe: record('subscribe'), unsubscribe: record('unsubscribe') };
  let flushes: (() => void)[] = [];
  let retries: (() => void)[] = [];
  const timers: ReconcilerTimers = {
    soon: (flush) => flushes.push(flush),
    after: (_ms, retry) => retries.push(retry),
  };
  const reconciler = new ChannelReconciler(commands, timers, batchSize);
  return {
    reconciler,
    sent,
    /** Ends the event-loop turn: runs the scheduled flush. */
    endTurn() {
      const due = flushes;
      flushes = [];
      for (const flush of due) flush();
    },
    runRetries() {
      const due = retries;
      retries = [];
      for (const retry of due) retry();
    },
    summary: () => sent.map(({ command, channels }) => `${command} ${channels.join(',')}`),
  };
}

function online(batchSize?: number) {
  const h = harness(batchSize);
  h.reconciler.connected();
  return h;
}

const settled = async (promise: Promise<void>): Promise<boolean> => {
  let done = false;
  void promise.then(() => (done = true));
  await new Promise((resolve) => setImmediate(resolve));
  return done;
};

describe('ChannelReconciler', () => {
  test('sends everything wanted in one turn as one SUBSCRIBE', () => {
    const h = online();
    void h.reconciler.want('a');
    void h.reconciler.want('b');
    void h.reconciler.want('c');
    h.endTurn();

    expect(h.summary()).toEqual(['subscribe a,b,c']);
  });

  test('splits a large change into commands of at most the batch size', () => {
    const h = online(2);
    for (const channel of ['a', 'b', 'c', 'd', 'e']) void h.reconciler.want(channel);
    h.endTurn();

    expect(h.summary()).toEqual(['subscribe a,b', 'subscribe c,d', 'subscribe e']);
  });

  test('sends nothing for a want and a drop of the same channel in one turn', () => {
    const h = online();
    void h.reconciler.want('a');
    h.reconciler.drop('a');
    h.endTurn();

    expect(h.sent).toEqual([]);
  });

  test('sends one SUBSCRIBE for want, drop, want in one turn', () => {
    const h = online();
    void h.reconciler.want('a');
    h.reconciler.drop('a');
    void h.reconciler.want('a');
    h.endTurn();

    expect(h.summary()).toEqual(['subscribe a']);
  });

  test('keeps a subscription when it is dropped and wanted again in one turn', () => {
    const h = online();
    void h.reconciler.want('a');
    h.endTurn();
    h.reconciler.drop('a');
    void h.reconciler.want('a');
    h.endTurn();

    expect(h.summary()).toEqual(['subscribe a']);
  });

  test('unsubscribes a dropped channel, and subscribes it again when wanted in a later turn', () => {
    const h = online();
    void h.reconciler.want('a');
    h.endTurn();
    h.reconciler.drop('a');
    h.endTurn();
    void h.reconciler.want('a');
    h.endTurn();

    expect(h.summary()).toEqual(['subscribe a', 'unsubscribe a', 'subscribe a']);
  });

  test('resolves a want only when Redis acknowledged the SUBSCRIBE', async () => {
    const h = online();
    const wanted = h.reconciler.want('a');
    h.endTurn();
    expect(await settled(wanted)).toBe(false);

    h.sent[0]!.answer();
    expect(await settled(wanted)).toBe(true);
  });

  test('resolves a want that is dropped before its SUBSCRIBE went out', async () => {
    const h = online();
    const wanted = h.reconciler.want('a');
    h.reconciler.drop('a');
    h.endTurn();

    expect(await settled(wanted)).toBe(true);
  });

  test('sends nothing while offline, and every wanted channel once connected', () => {
    const h = harness();
    void h.reconciler.want('a');
    void h.reconciler.want('b');
    h.reconciler.drop('a');
    h.endTurn();
    expect(h.sent).toEqual([]);

    h.reconciler.connected();
    expect(h.summary()).toEqual(['subscribe b']);
  });

  test('re-subscribes every wanted channel on a new connection, and resolves waiters on its answer', async () => {
    const h = online();
    void h.reconciler.want('a');
    const waiting = h.reconciler.want('b');
    h.endTurn();
    h.reconciler.disconnected();
    h.reconciler.connected();

    expect(h.summary()).toEqual(['subscribe a,b', 'subscribe a,b']);
    expect(await settled(waiting)).toBe(false);
    h.sent[1]!.answer();
    expect(await settled(waiting)).toBe(true);
  });

  test('sends a channel again, a little later, after its SUBSCRIBE failed', async () => {
    const h = online();
    const wanted = h.reconciler.want('a');
    h.endTurn();
    h.sent[0]!.fail();
    await new Promise((resolve) => setImmediate(resolve));
    h.runRetries();
    h.endTurn();

    expect(h.summary()).toEqual(['subscribe a', 'subscribe a']);
    h.sent[1]!.answer();
    expect(await settled(wanted)).toBe(true);
  });
});
