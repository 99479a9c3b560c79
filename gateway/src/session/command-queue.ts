import type { Logger } from '../../../shared/src/logger';
import { RateLimitedLog } from '../../../shared/src/logger';
import type { ClientMessageCounters } from './client-messages';

/**
 * Frames a session may have waiting behind a slow command. uWS cannot pause reading one socket, so a
 * client flooding commands while the RPC server is slow is bounded here instead.
 */
const MAX_PENDING_FRAMES = 1024;

/** The part of a session the queue keeps its state in (no allocation for a session that is not waiting). */
export interface QueuedSession {
  readonly sid: string;
  readonly closed: boolean;
  busy: boolean;
  /** Frames waiting while an earlier command is still being handled. */
  pending: string[] | null;
}

/** Handles one frame of a session; resolves when its command is done and never rejects. */
export interface FrameHandler<S extends QueuedSession> {
  handle(session: S, frame: string): Promise<void>;
}

/** What happens to a session when its last command is done and it has closed meanwhile. */
export type SessionFinisher<S> = (session: S) => void;

/**
 * Runs the commands of each session one at a time, in arrival order: the next frame waits while an RPC
 * call is in flight, as anycable-go's read loop does.
 */
export class CommandQueue<S extends QueuedSession> {
  private readonly dropLog: RateLimitedLog;

  constructor(
    private readonly handler: FrameHandler<S>,
    private readonly finish: SessionFinisher<S>,
    private readonly counters: ClientMessageCounters,
    logger: Logger,
  ) {
    this.dropLog = new RateLimitedLog(logger, 'warn');
  }

  /** Takes one frame of a session; it is handled after every frame received before it. */
  receive(session: S, frame: string): void {
    if (session.busy) {
      const pending = (session.pending ??= []);
      if (pending.length >= MAX_PENDING_FRAMES) {
        this.counters.failed.inc();
        this.dropLog.log('client frame dropped: too many commands waiting', { sid: session.sid });
        return;
      }
      pending.push(frame);
      return;
    }
    void this.drain(session, frame);
  }

  private async drain(session: S, first: string): Promise<void> {
    session.busy = true;
    let frame: string | undefined = first;
    while (frame !== undefined) {
      await this.handler.handle(session, frame);
      frame = session.pending?.shift();
    }
    session.pending = null;
    session.busy = false;
    if (session.closed) this.finish(session);
  }
}
