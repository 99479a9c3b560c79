import { errorMessage } from '../../../shared/src/errors';
import type { Logger } from '../../../shared/src/logger';
import { RateLimitedLog } from '../../../shared/src/logger';
import type { ClientMessageCounters } from './client-messages';
import { WaitingLine } from './waiting-line';

/**
 * Commands a session may have waiting behind a slow one. Each may be an RPC call made one after the other,
 * so this bounds how long the newest command of a flooding client waits for its answer.
 */
const MAX_WAITING_COMMANDS = 128;

/** The part of a session the queue keeps its state in (no allocation for a session that is not waiting). */
export interface QueuedSession<C> {
  readonly sid: string;
  readonly closed: boolean;
  busy: boolean;
  /** Commands waiting while an earlier one is still being handled. */
  pending: WaitingLine<C> | null;
}

/** Handles one command of a session; resolves when it is done and never rejects. */
export interface CommandHandler<S, C> {
  handle(session: S, command: C): Promise<void>;
}

/** What happens to a session when its last command is done and it has closed meanwhile. */
export type SessionFinisher<S> = (session: S) => void;

/**
 * Runs the commands of each session one at a time, in arrival order: the next command waits while an RPC
 * call is in flight, as anycable-go's read loop does. A malformed frame is refused on arrival (it would
 * change nothing, so it never takes a place in the line), and when the line is full its oldest command
 * gives way, so a client flooding junk still gets its latest command answered.
 */
export class CommandQueue<S extends QueuedSession<C>, C extends { readonly command: string }> {
  private readonly badFrameLog: RateLimitedLog;
  private readonly dropLog: RateLimitedLog;

  constructor(
    private readonly handler: CommandHandler<S, C>,
    /** Throws on a frame that is no command. */
    private readonly decode: (frame: string) => C,
    private readonly finish: SessionFinisher<S>,
    private readonly counters: ClientMessageCounters,
    logger: Logger,
  ) {
    this.badFrameLog = new RateLimitedLog(logger, 'warn');
    this.dropLog = new RateLimitedLog(logger, 'warn');
  }

  /** Takes one frame of a session; its command is handled after every command received before it. */
  receive(session: S, frame: string): void {
    this.counters.received.inc();
    let command: C;
    try {
      command = this.decode(frame);
    } catch (error) {
      this.counters.failed.inc();
      this.badFrameLog.log('malformed client frame ignored', { sid: session.sid, error: errorMessage(error), frame });
      return;
    }
    if (!session.busy) {
      void this.drain(session, command);
      return;
    }
    const evicted = (session.pending ??= new WaitingLine(MAX_WAITING_COMMANDS)).push(command);
    if (evicted) {
      this.counters.failed.inc();
      this.dropLog.log('client command dropped: too many commands waiting', { sid: session.sid, command: evicted.command });
    }
  }

  private async drain(session: S, first: C): Promise<void> {
    session.busy = true;
    let command: C | undefined = first;
    while (command !== undefined) {
      await this.handler.handle(session, command);
      command = session.pending?.shift();
    }
    session.pending = null;
    session.busy = false;
    if (session.closed) this.finish(session);
  }
}
