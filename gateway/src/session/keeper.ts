import { errorMessage } from '../../../shared/src/errors';
import { RateLimitedLog, type Logger } from '../../../shared/src/logger';
import type { SessionStore } from '../broker/sessions';
import type { SessionSnapshot } from '../core/session-snapshot';
import { EXTENDED_PROTOCOL } from '../core/protocol';
import type { Session } from './session';

export function snapshotOf(session: Session): SessionSnapshot {
  const subscriptions: Record<string, { streams: string[]; istate: Session['cstate'] }> = {};
  for (const [identifier, subscription] of session.subscriptions ?? []) {
    subscriptions[identifier] = { streams: [...subscription.streams], istate: subscription.istate };
  }
  return { identifiers: session.identifiers, cstate: session.cstate, rpcInterest: session.rpcInterest, subscriptions };
}

/**
 * Saves extended-protocol sessions whenever their state changes (and once more when they close), so a
 * client reconnecting anywhere with its sid resumes where it was. A store that cannot be reached costs
 * the client a fresh session, never its connection.
 */
export class SessionKeeper {
  private readonly failures: RateLimitedLog;

  constructor(
    private readonly store: SessionStore,
    logger: Logger,
  ) {
    this.failures = new RateLimitedLog(logger, 'warn');
  }

  commit(session: Session): void {
    if (session.protocol !== EXTENDED_PROTOCOL) return;
    this.store.save(session.sid, snapshotOf(session)).catch((error: unknown) => {
      this.failures.log('session could not be saved: it will not be restorable', {
        sid: session.sid,
        error: errorMessage(error),
      });
    });
  }

  /** The session saved under `sid`; null when there is none or the store cannot be reached. */
  async restore(sid: string): Promise<SessionSnapshot | null> {
    try {
      return await this.store.load(sid);
    } catch (error) {
      this.failures.log('session could not be read: starting a fresh one', { sid, error: errorMessage(error) });
      return null;
    }
  }
}
