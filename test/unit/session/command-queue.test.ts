import { CommandQueue, type CommandHandler, type QueuedSession } from '../../../gateway/src/session/command-queue';
import { counterValue, counters, recordingLogger } from './fakes';

interface FakeCommand {
  readonly command: string;
}

interface FakeSession extends QueuedSession<FakeCommand> {
  closed: boolean;
}

function fakeSession(): FakeSession {
  return { sid: 's', closed: false, busy: false, pending: null };
}

/** Every frame is a command named after it, but for `junk`, which is no command at all. */
function decode(frame: string): FakeCommand {
  if (frame === 'junk') throw new Error('not a command');
  return { command: frame };
}

/** A handler whose every command waits until the test releases it. */
class GatedHandler implements CommandHandler<FakeSession, FakeCommand> {
  readonly started: string[] = [];
  private readonly releases: Array<() => void> = [];
  handle(_session: FakeSession, command: FakeCommand): Promise<void> {
    this.started.push(command.command);
    return new Promise((resolve) => this.releases.push(resolve));
  }
  async releaseNext(): Promise<void> {
    this.releases.shift()?.();
    // Lets the queue's loop take its next command.
    await new Promise((resolve) => setImmediate(resolve));
  }
  async releaseAll(): Promise<void> {
    while (this.releases.length > 0) await this.releaseNext();
  }
}

function setup() {
  const handler = new GatedHandler();
  const finished: FakeSession[] = [];
  const { metrics, counters: messageCounters } = counters();
  const { logger, lines } = recordingLogger();
  const queue = new CommandQueue(handler, decode, (session: FakeSession) => finished.push(session), messageCounters, logger);
  return { handler, finished, metrics, queue, lines };
}

describe('command queue', () => {
  it('handles the commands of one session one at a time, in arrival order', async () => {
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

  it('refuses a malformed frame on arrival: counted and logged, it never takes a place in the line', async () => {
    const { handler, metrics, queue, lines } = setup();
    const session = fakeSession();
    queue.receive(session, 'a');
    queue.receive(session, 'junk');
    queue.receive(session, 'b');
    await handler.releaseAll();
    expect(handler.started).toEqual(['a', 'b']);
    expect(await counterValue(metrics, 'client_msg_total')).toBe(3);
    expect(await counterValue(metrics, 'failed_client_msg_total')).toBe(1);
    expect(lines.some((line) => line.includes('malformed client frame ignored'))).toBe(true);
  });

  it('makes the oldest waiting command give way when the line is full, so the newest keeps its place', async () => {
    const { handler, metrics, queue, lines } = setup();
    const session = fakeSession();
    queue.receive(session, 'first');
    for (let i = 0; i < 200; i += 1) queue.receive(session, `flood${i}`);
    queue.receive(session, 'subscribe');
    await handler.releaseAll();
    // 128 wait behind the one in flight: the 73 oldest flood commands gave way.
    expect(handler.started).toHaveLength(1 + 128);
    expect(handler.started[1]).toBe('flood73');
    expect(handler.started.at(-1)).toBe('subscribe');
    expect(await counterValue(metrics, 'failed_client_msg_total')).toBe(73);
    expect(lines.some((line) => line.includes('too many commands waiting'))).toBe(true);
  });
});
