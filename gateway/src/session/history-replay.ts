import { CommandError, errorMessage } from '../../../shared/src/errors';
import type { Logger } from '../../../shared/src/logger';
import type { Metrics } from '../../../shared/src/metrics';
import type { StreamMessage } from '../../../shared/src/publication';
import type { StreamHistory } from '../broker/history';
import type { StreamRouter } from '../core/streams';
import type { HistoryRequest } from '../protocol/commands';
import { confirmHistoryFrame, rejectHistoryFrame } from '../protocol/frames';
import type { Session, Subscription } from './session';

/**
 * Answers a client's history request for one subscription: its streams are held out of the live fan-out,
 * what the client missed is read from the broker, written in order, followed by what arrived live meanwhile
 * (each message once), then confirm_history. When the history cannot prove continuity the client gets
 * reject_history and live delivery resumes: never a silent gap, never a duplicate.
 */
export class HistoryReplay {
  private readonly requests;
  private readonly rejects;

  constructor(
    /** null without a broker: every request is rejected. */
    private readonly history: StreamHistory | null,
    private readonly router: StreamRouter,
    private readonly logger: Logger,
    metrics: Metrics,
  ) {
    this.requests = metrics.counter('history_requests_total', 'History requests of extended-protocol clients');
    this.rejects = metrics.counter('history_rejects_total', 'History requests answered with reject_history');
  }

  async replay(session: Session, identifier: string, subscription: Subscription, request: HistoryRequest | null): Promise<void> {
    const streams = [...subscription.streams];
    for (const stream of streams) this.router.hold(session, stream, identifier);
    if (!request) {
      this.releaseAll(session, identifier, streams);
      throw new CommandError(`history request without a position or time for ${identifier}`);
    }
    this.requests.inc();
    let backlogs: (readonly StreamMessage[])[];
    try {
      if (!this.history) throw new CommandError('no broker: streams have no history');
      if (session.listening) await session.listening;
      const history = this.history;
      backlogs = await Promise.all(streams.map((stream) => this.backlogOf(history, stream, request)));
    } catch (error) {
      this.rejects.inc();
      if (this.logger.enabled('debug'))
        this.logger.debug('history rejected', { sid: session.sid, identifier, error: errorMessage(error) });
      session.connection.send([rejectHistoryFrame(identifier)]);
      this.releaseAll(session, identifier, streams);
      return;
    }
    streams.forEach((stream, index) => {
      this.router.release(session, stream, identifier, backlogs[index]!, request.streams[stream] ?? null);
    });
    session.connection.send([confirmHistoryFrame(identifier)]);
  }

  private backlogOf(history: StreamHistory, stream: string, request: HistoryRequest): Promise<readonly StreamMessage[]> {
    const position = request.streams[stream];
    if (position) return history.after(stream, position);
    if (request.since > 0) return history.since(stream, request.since);
    return Promise.resolve([]);
  }

  private releaseAll(session: Session, identifier: string, streams: readonly string[]): void {
    for (const stream of streams) this.router.release(session, stream, identifier, [], null);
  }
}
