import { CommandError, errorMessage } from '../../../shared/src/errors';
import { RateLimitedLog, type Logger } from '../../../shared/src/logger';
import type { Metrics } from '../../../shared/src/metrics';
import { PRESENCE_EVENT_TYPES, type PresenceEvent, type PresenceStore } from '../broker/presence';
import { PRESENCE_STREAM_STATE } from '../channels/stream-channel';
import type { StreamPublisher } from '../core/streams';
import { presenceErrorFrame, presenceEventData, presenceInfoFrame } from '../protocol/frames';
import type { Session, Subscription } from './session';

/**
 * Presence of sessions on their subscriptions' presence streams (`$p` in the channel state: `$pubsub`
 * streams, or what the Rails app set): joins and leaves become presence events for every subscriber of the
 * stream, on every node. The presence of live sessions is kept fresh; a dropped connection's lapses after
 * presence_ttl, and any node then announces that it left.
 */
export class PresenceTracker {
  /** Sessions of this node present on each stream, touched while they live. */
  private readonly present = new Map<string, Set<Session>>();
  private timer: NodeJS.Timeout | null = null;
  private readonly failures: RateLimitedLog;
  private readonly events;

  constructor(
    /** null without a broker: presence commands are answered with an error. */
    private readonly store: PresenceStore | null,
    private readonly publisher: StreamPublisher,
    private readonly ttlSec: number,
    logger: Logger,
    metrics: Metrics,
  ) {
    this.failures = new RateLimitedLog(logger, 'warn');
    this.events = metrics.counterBy('presence_events_total', 'Presence joins and leaves announced', 'type', PRESENCE_EVENT_TYPES);
    metrics.gauge('presence_sessions_num', 'Sessions of this node present on a stream', () => {
      let count = 0;
      for (const sessions of this.present.values()) count += sessions.size;
      return count;
    });
  }

  async join(session: Session, subscription: Subscription, id: string, info: string | undefined): Promise<void> {
    const { stream, store } = this.require(subscription);
    const events = await store.join(stream, session.sid, id, info ?? '');
    let sessions = this.present.get(stream);
    if (!sessions) this.present.set(stream, (sessions = new Set()));
    sessions.add(session);
    (session.presence ??= new Set()).add(stream);
    this.announce(events);
  }

  async leave(session: Session, subscription: Subscription): Promise<void> {
    const { stream, store } = this.require(subscription);
    this.forget(session, stream);
    const event = await store.leave(stream, session.sid);
    if (event) this.announce([event]);
  }

  /** Answers the member set of the subscription's presence stream (an error frame when it cannot be read). */
  async info(session: Session, identifier: string, subscription: Subscription): Promise<void> {
    const stream = subscription.istate?.[PRESENCE_STREAM_STATE];
    if (!this.store || stream === undefined) {
      session.connection.send([presenceErrorFrame(identifier)]);
      throw new CommandError(`no presence on ${identifier}`);
    }
    try {
      const { records } = await this.store.info(stream);
      session.connection.send([presenceInfoFrame(identifier, records)]);
    } catch (error) {
      session.connection.send([presenceErrorFrame(identifier)]);
      throw error;
    }
  }

  /** An unsubscribed subscription leaves its presence at once. */
  async unsubscribed(session: Session, subscription: Subscription): Promise<void> {
    const stream = subscription.istate?.[PRESENCE_STREAM_STATE];
    if (stream === undefined || !session.presence?.has(stream)) return;
    await this.leave(session, subscription);
  }

  /** A closed session is no longer kept fresh: its presence lapses after presence_ttl, unless it is restored and joins again. */
  closed(session: Session): void {
    for (const stream of session.presence ?? []) this.forget(session, stream);
  }

  start(): void {
    if (!this.store) return;
    this.timer = setInterval(() => void this.refresh(), Math.max(1000, (this.ttlSec * 1000) / 3));
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async refresh(): Promise<void> {
    const store = this.store!;
    try {
      for (const [stream, sessions] of this.present)
        await store.touch(
          stream,
          [...sessions].map((session) => session.sid),
        );
      this.announce(await store.expire());
    } catch (error) {
      this.failures.log('presence could not be refreshed', { error: errorMessage(error) });
    }
  }

  private announce(events: readonly PresenceEvent[]): void {
    for (const event of events) {
      this.events[event.type].inc();
      this.publisher.publish({
        stream: event.stream,
        data: presenceEventData(event.type, event.id, event.info),
        meta: { broadcast_type: 'presence', transient: true },
      });
    }
  }

  private forget(session: Session, stream: string): void {
    session.presence?.delete(stream);
    const sessions = this.present.get(stream);
    sessions?.delete(session);
    if (sessions?.size === 0) this.present.delete(stream);
  }

  private require(subscription: Subscription): { stream: string; store: PresenceStore } {
    const stream = subscription.istate?.[PRESENCE_STREAM_STATE];
    if (!this.store) throw new CommandError('presence needs a broker');
    if (stream === undefined) throw new CommandError('presence is not enabled for this subscription');
    return { stream, store: this.store };
  }
}
