import { CommandQueue, type FrameHandler, type QueuedSession } from '../../../gateway/src/session/command-queue';
import { counterValue, counters, recordingLogger } from './fakes';

interface FakeSession extends QueuedSession {
  closed: boolean;
}

function fakeSession(): FakeSession {
  return { sid: 's', closed: false, busy: false, pending: null };
}

/** A handler whose every frame waits until the test releases it. */
class GatedHandler implements FrameHandler<FakeSession> {
  readonly started: string[] = [];
  private readonly releases: Array<() => void> = [];
  handle(_session: FakeSession, frame: string): Promise<void> {
    this.started.push(frame);
    return new Promise((resolve) => this.releases.push(resolve));
  }
  async releaseNext(): Promise<void> {
    this.releases.shift()?.();
    // Lets the queue's loop take its next frame.
    await new Promise((resolve) => setImmediate(resolve));
  }
}

function setup() {
  const handler = new GatedHandler();
  const finished: FakeSession[] = [];
  const { metrics, counters: messageCounters } = counters();
  const { logger, lines } = recordingLogger();
  const queue = new CommandQueue(handler, (session) => finished.push(session), messageCounters, logger);
  return { handler, finished, metrics, queue, lines };
}

describe('command queue', () => {
  it('handles the frames of one session one at a time, in arrival order', async () => {
    const { handler, queue } = setup();
    const session = fakeSession();
    queue.receive(session, 'a');
    queue.receive(session, 'b');
    queue.receive(session, 'c');
    expect(handler.started).toEqual(['a']);
    await handler.releaseNext();
    expect(handler.started).toEqual(['a', 'b']);
    await handler.releaseNext();
    await handler.releaseNext();
    expect(handler.started).toEqual(['a', 'b', 'c']);
    expect(session.busy).toBe(false);
    expect(session.pending).toBeNull();
  });

  it('does not hold one session behind another', () => {
    const { handler, queue } = setup();
    queue.receive(fakeSession(), 'slow');
    queue.receive(fakeSession(), 'other');
    expect(handler.started).toEqual(['slow', 'other']);
  });

  it('finishes a session that closed while a command was in flight once that command is done', async () => {
    const { handler, finished, queue } = setup();
    const session = fakeSession();
    queue.receive(session, 'a');
    session.closed = true;
    expect(finished).toEqual([]);
    await handler.releaseNext();
    expect(finished).toEqual([session]);
  });

  it('drops frames past the bound of waiting frames, counted and logged', async () => {
    const { handler, metrics, queue, lines } = setup();
    const session = fakeSession();
    for (let i = 0; i <= 1025; i += 1) queue.receive(session, String(i));
    expect(session.pending).toHaveLength(1024);
    expect(await counterValue(metrics, 'failed_client_msg_total')).toBe(1);
    expect(lines.some((line) => line.includes('too many commands waiting'))).toBe(true);
    expect(handler.started).toEqual(['0']);
  });
});
