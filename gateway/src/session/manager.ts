import type { Logger } from '../../../shared/src/logger';
import type { Metrics } from '../../../shared/src/metrics';
import type { RemoteCommand } from '../../../shared/src/publication';
import type { Admission } from '../core/admission';
import type { SessionSnapshot } from '../core/session-snapshot';
import type { Disconnector } from '../core/controller';
import type { DisconnectMode } from '../config/config';
import type { RpcAvoided } from '../metrics/rpc-avoided';
import { Close, disconnectFrame, type CloseSpec, type DisconnectReason } from '../protocol/frames';
import type { Connection } from '../core/connection';
import type { StreamRouter } from '../core/streams';
import type { ConnectTiming } from './connector';
import type { SessionKeeper } from './keeper';
import type { PresenceTracker } from './presence';
import type { Keepalive } from './keepalive';
import type { SessionRegistry } from './registry';
import { Session } from './session';

export interface DisconnectPolicy {
  readonly mode: DisconnectMode;
  readonly rpcEnabled: boolean;
}

/**
 * Opens and ends sessions: admits authenticated connections, and on close releases their streams and
 * tells the Rails app when it has to know.
 */
export class SessionManager {
  private readonly remoteCommands;

  constructor(
    private readonly registry: SessionRegistry,
    private readonly router: StreamRouter,
    private readonly timing: ConnectTiming,
    private readonly keepalive: Keepalive,
    /** Rate-limited, never rejecting. */
    private readonly disconnects: Disconnector,
    private readonly policy: DisconnectPolicy,
    private readonly avoided: RpcAvoided,
    /** null when sessions are not kept (no broker, or sessions_ttl=0). */
    private readonly keeper: SessionKeeper | null,
    private readonly presence: PresenceTracker,
    private readonly logger: Logger,
    metrics: Metrics,
  ) {
    this.remoteCommands = metrics.counter('remote_commands_total', 'Remote commands executed (disconnect)');
    metrics.gauge('clients_num', 'Authenticated connections', () => registry.size);
    metrics.gauge('clients_uniq_num', 'Distinct connection identifiers', () => registry.uniqueIdentifiers);
  }

  /** A socket opened after its upgrade; returns its session, or null when authentication refused it. */
  open(connection: Connection, admission: Admission, pingTopic: string | null): Session | null {
    const { result } = admission;
    if (result.status !== 'SUCCESS') {
      if (result.status === 'FAILURE') {
        connection.send(result.transmissions);
        connection.close(Close.authFailed.code, Close.authFailed.reason);
      } else {
        connection.close(Close.authError.code, Close.authError.reason);
      }
      return null;
    }
    const session = new Session(
      admission.sid,
      result.identifiers,
      admission.env,
      connection,
      admission.protocol,
      pingTopic,
      result.cstate && Object.keys(result.cstate).length > 0 ? result.cstate : null,
      result.disconnectInterest,
    );
    this.registry.add(session);
    if (pingTopic) {
      this.keepalive.join(pingTopic);
      connection.subscribe(pingTopic);
    }
    if (admission.restored) this.resubscribe(session, admission.restored);
    connection.send(result.transmissions);
    this.timing.admitted(admission);
    this.keeper?.commit(session);
    return session;
  }

  /**
   * Gives a restored session its subscriptions back, held until the client's history request for each has
   * been answered, so it gets what it missed before anything newer.
   */
  private resubscribe(session: Session, snapshot: SessionSnapshot): void {
    const listening: Promise<void>[] = [];
    for (const [identifier, saved] of Object.entries(snapshot.subscriptions)) {
      const subscription = session.addSubscription(identifier);
      subscription.istate = saved.istate;
      for (const stream of saved.streams) {
        subscription.streams.add(stream);
        const ready = this.router.subscribe(session, stream, identifier, true);
        if (ready) listening.push(ready);
      }
    }
    if (listening.length > 0) session.listening = Promise.all(listening).then(() => undefined);
  }

  /** The socket has closed; the session ends once its command in flight, if any, is done. */
  closed(session: Session): void {
    session.closed = true;
    session.pending = null;
    if (!session.busy) this.finish(session);
  }

  /** Releases everything a closed session held (called once its last command is done). */
  finish(session: Session): void {
    this.keeper?.commit(session);
    this.presence.closed(session);
    this.registry.remove(session);
    if (session.pingTopic) this.keepalive.leave(session.pingTopic);
    const subscriptions = session.subscriptions;
    if (subscriptions) {
      for (const [identifier, subscription] of subscriptions) {
        for (const stream of subscription.streams) this.router.unsubscribe(session, stream, identifier);
      }
    }
    this.requestDisconnect(session);
  }

  /** Sends a disconnect frame and closes the session's socket. */
  disconnect(session: Session, reason: DisconnectReason, close: CloseSpec, reconnect?: boolean): void {
    session.connection.send([disconnectFrame(reason, reconnect)]);
    session.connection.close(close.code, close.reason);
  }

  execute(command: RemoteCommand): void {
    this.remoteCommands.inc();
    const { identifier, reconnect } = command.payload;
    const sessions = this.registry.withIdentifiers(identifier);
    for (const session of sessions) this.disconnect(session, 'remote', Close.remote, reconnect);
    this.logger.info('remote disconnect', { identifiers: identifier, sessions: sessions.length });
  }

  /** Every session of this node, for shutdown. */
  sessions(): IterableIterator<Session> {
    return this.registry.all();
  }

  private requestDisconnect(session: Session): void {
    const { mode, rpcEnabled } = this.policy;
    if (!rpcEnabled || (mode === 'auto' && !session.rpcInterest)) {
      this.avoided.disconnect.inc();
      return;
    }
    if (mode === 'never') return;
    const subscriptions = session.subscriptions ? [...session.subscriptions.keys()] : [];
    const istate: Record<string, string> = {};
    for (const [identifier, subscription] of session.subscriptions ?? []) {
      if (subscription.istate) istate[identifier] = JSON.stringify(subscription.istate);
    }
    void this.disconnects.disconnect({
      sid: session.sid,
      identifiers: session.identifiers,
      subscriptions,
      env: session.env,
      cstate: session.cstate ?? {},
      istate,
    });
  }
}
