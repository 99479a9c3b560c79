import { Metrics } from '../../../shared/src/metrics';
import { createLogger, type Logger } from '../../../shared/src/logger';
import type { StreamMessage } from '../../../shared/src/publication';
import type { Connection } from '../../../gateway/src/core/connection';
import type { CommandContext, CommandResult, Controller } from '../../../gateway/src/core/controller';
import type { StreamPublisher, StreamRouter, StreamSubscriber } from '../../../gateway/src/core/streams';
import { clientMessageCounters } from '../../../gateway/src/session/client-messages';
import { Session } from '../../../gateway/src/session/session';

/** A connection that records what the session writes to it. */
export class RecordingConnection implements Connection {
  readonly sent: string[] = [];
  closedWith: [number, string] | null = null;
  send(frames: readonly string[]): void {
    this.sent.push(...frames);
  }
  subscribe(): void {}
  unsubscribe(): void {}
  publishToOthers(): boolean {
    return false;
  }
  ping(): void {}
  bufferedAmount(): number {
    return 0;
  }
  close(code: number, reason: string): void {
    this.closedWith = [code, reason];
  }
}

/** A stream router that records (un)subscriptions in order, optionally holding new streams until released. */
export class RecordingRouter implements StreamRouter {
  readonly events: string[] = [];
  constructor(private readonly listening?: Promise<void>) {}
  subscribe(_subscriber: StreamSubscriber, stream: string, identifier: string, held = false): Promise<void> | undefined {
    this.events.push(`${held ? 'held ' : ''}+${stream}@${identifier}`);
    return this.listening;
  }
  hold(_subscriber: StreamSubscriber, stream: string, identifier: string): void {
    this.events.push(`hold ${stream}@${identifier}`);
  }
  release(_subscriber: StreamSubscriber, stream: string, identifier: string, backlog: readonly StreamMessage[]): void {
    this.events.push(`release ${stream}@${identifier} with ${backlog.length}`);
  }
  unsubscribe(_subscriber: StreamSubscriber, stream: string, identifier: string): void {
    this.events.push(`-${stream}@${identifier}`);
  }
}

export class RecordingPublisher implements StreamPublisher {
  readonly published: StreamMessage[] = [];
  publish(message: StreamMessage): void {
    this.published.push(message);
  }
}

export function success(overrides: Partial<CommandResult> = {}): CommandResult {
  return {
    status: 'SUCCESS',
    disconnect: false,
    stopStreams: false,
    stoppedStreams: [],
    streams: [],
    transmissions: [],
    disconnectInterest: false,
    ...overrides,
  };
}

type Call = {
  readonly kind: 'subscribe' | 'unsubscribe' | 'perform';
  readonly identifier: string;
  readonly context: CommandContext;
  readonly data?: string;
};

/** A controller answering from a script, recording every call and the context it saw. */
export class ScriptedController implements Controller {
  readonly calls: Call[] = [];
  constructor(private readonly answer: (call: Call) => CommandResult | Promise<CommandResult>) {}
  async subscribe(context: CommandContext, identifier: string): Promise<CommandResult> {
    return this.record({ kind: 'subscribe', identifier, context });
  }
  async unsubscribe(context: CommandContext, identifier: string): Promise<CommandResult> {
    return this.record({ kind: 'unsubscribe', identifier, context });
  }
  async perform(context: CommandContext, identifier: string, data: string): Promise<CommandResult> {
    return this.record({ kind: 'perform', identifier, context, data });
  }
  private record(call: Call): CommandResult | Promise<CommandResult> {
    this.calls.push(call);
    return this.answer(call);
  }
}

export function newSession(connection = new RecordingConnection(), sid = 'sid-1'): Session {
  return new Session(
    sid,
    '{"user":1}',
    { url: 'http://localhost/cable', headers: {} },
    connection,
    'actioncable-v1-json',
    null,
    null,
    false,
  );
}

export function counters() {
  const metrics = new Metrics('test_');
  return { metrics, counters: clientMessageCounters(metrics) };
}

export async function counterValue(metrics: Metrics, name: string): Promise<number> {
  const metric = await metrics.registry.getSingleMetric(`test_${name}`)?.get();
  return metric?.values[0]?.value ?? 0;
}

/** A logger keeping its lines, for tests that check what was logged. */
export function recordingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  return { logger: createLogger({ level: 'debug', format: 'text', sink: (line) => lines.push(line) }), lines };
}
