import { LivenessProbe, type ProbeTarget } from '../../../broadcaster/src/redis/probe';

function target(ready = true) {
  const published: string[] = [];
  const missing: boolean[] = [];
  let answer: () => void = () => undefined;
  const probeTarget: ProbeTarget = {
    isReady: () => ready,
    publish: (payload) => {
      published.push(payload);
      return new Promise<void>((resolve) => (answer = resolve));
    },
    onMissing: (publisherAnswered) => missing.push(publisherAnswered),
  };
  return { probeTarget, published, missing, answer: () => answer() };
}

describe('the liveness probe', () => {
  let probe: LivenessProbe | undefined;

  beforeEach(() => jest.useFakeTimers());
  afterEach(() => {
    probe?.stop();
    jest.useRealTimers();
  });

  test('publishes a token at each interval and is content when it comes back', () => {
    const t = target();
    probe = new LivenessProbe(t.probeTarget, { intervalMs: 1000, timeoutMs: 500 }, 'node-a');
    probe.start();

    jest.advanceTimersByTime(1000);
    probe.echo(t.published[0]!);
    jest.advanceTimersByTime(1000);
    probe.echo(t.published[1]!);
    jest.advanceTimersByTime(600);

    expect(t.published).toEqual(['node-a:1', 'node-a:2']);
    expect(t.missing).toEqual([]);
  });

  test('reports a missing echo, telling whether Redis answered the PUBLISH', async () => {
    const t = target();
    probe = new LivenessProbe(t.probeTarget, { intervalMs: 1000, timeoutMs: 500 }, 'node-a');
    probe.start();

    jest.advanceTimersByTime(1000);
    jest.advanceTimersByTime(500);
    jest.advanceTimersByTime(500);
    t.answer();
    await Promise.resolve();
    jest.advanceTimersByTime(500);

    expect(t.missing).toEqual([false, true]);
  });

  test('ignores an echo that is not the token it waits for', () => {
    const t = target();
    probe = new LivenessProbe(t.probeTarget, { intervalMs: 1000, timeoutMs: 500 }, 'node-a');
    probe.start();

    jest.advanceTimersByTime(1000);
    probe.echo('node-b:1');
    jest.advanceTimersByTime(500);

    expect(t.missing).toEqual([false]);
  });

  test('does not probe a link that is not ready', () => {
    const t = target(false);
    probe = new LivenessProbe(t.probeTarget, { intervalMs: 1000, timeoutMs: 500 }, 'node-a');
    probe.start();

    jest.advanceTimersByTime(5000);

    expect([t.published, t.missing]).toEqual([[], []]);
  });
});
