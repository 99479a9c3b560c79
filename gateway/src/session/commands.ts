import { CommandError, errorMessage } from '../../../shared/src/errors';
import type { Logger } from '../../../shared/src/logger';
import { RateLimitedLog } from '../../../shared/src/logger';
import type { CommandContext, CommandResult, Controller, PresenceChange } from '../core/controller';
import type { StreamPublisher, StreamRouter } from '../core/streams';
import { type ClientCommand, type HistoryRequest, type PresenceJoin } from '../protocol/commands';
import { Close, PONG_FRAME } from '../protocol/frames';
import type { ClientMessageCounters } from './client-messages';
import type { CommandHandler } from './command-queue';
import type { HistoryReplay } from './history-replay';
import type { SessionKeeper } from './keeper';
import type { PresenceTracker } from './presence';
import type { Session, Subscription } from './session';
import { NO_STATE, mergeState } from './state';

/**
 * Applies the commands of a session, one at a time (the CommandQueue keeps them in order): asks the
 * controller, and applies each result as anycable-go does.
 */
export class CommandProcessor implements CommandHandler<Session, ClientCommand> {
  private readonly failureLog: RateLimitedLog;

  constructor(
    private readonly controller: Controller,
    private readonly router: StreamRouter,
    private readonly publisher: StreamPublisher,
    private readonly replay: HistoryReplay,
    private readonly presence: PresenceTracker,
    /** null when sessions are not kept. */
    private readonly keeper: SessionKeeper | null,
    private readonly counters: ClientMessageCounters,
    private readonly logger: Logger,
  ) {
    this.failureLog = new RateLimitedLog(logger, 'warn');
  }

  async handle(session: Session, command: ClientCommand): Promise<void> {
    try {
      await this.execute(session, command);
    } catch (error) {
      this.counters.failed.inc();
      if (error instanceof CommandError) {
        if (this.logger.enabled('debug')) this.logger.debug('command refused', { sid: session.sid, error: error.message });
      } else {
        this.failureLog.log('failed to handle command', {
          sid: session.sid,
          command: command.command,
          error: errorMessage(error),
        });
      }
    }
  }

  private async execute(session: Session, command: ClientCommand): Promise<void> {
    switch (command.command) {
      case 'ping':
        session.connection.send([PONG_FRAME]);
        return;
      case 'pong':
        return;
      case 'subscribe':
        await this.subscribe(session, command.identifier, command.history, command.presence);
        return this.keeper?.commit(session);
      case 'unsubscribe':
        await this.unsubscribe(session, command.identifier, this.requireSubscription(session, command.identifier));
        return this.keeper?.commit(session);
      case 'message': {
        const subscription = this.requireSubscription(session, command.identifier);
        const result = await this.controller.perform(this.context(session, subscription), command.identifier, command.data);
        await this.apply(session, command.identifier, subscription, result);
        return this.keeper?.commit(session);
      }
      case 'history':
        return this.replay.replay(
          session,
          command.identifier,
          this.requireSubscription(session, command.identifier),
          command.history,
        );
      case 'join': {
        const subscription = this.requireSubscription(session, command.identifier);
        return this.presence.join(session, subscription, command.presence.id, command.presence.info);
      }
      case 'leave':
        return this.presence.leave(session, this.requireSubscription(session, command.identifier));
      case 'presence':
        return this.presence.info(session, command.identifier, this.requireSubscription(session, command.identifier));
      case 'whisper':
        return this.whisper(session, this.requireSubscription(session, command.identifier), command.data);
    }
  }

  private requireSubscription(session: Session, identifier: string): Subscription {
    const subscription = session.subscription(identifier);
    if (!subscription) throw new CommandError(`unknown subscription ${identifier}`);
    return subscription;
  }

  private context(session: Session, subscription: Subscription | undefined): CommandContext {
    return {
      sid: session.sid,
      identifiers: session.identifiers,
      env: session.env,
      cstate: session.cstate ?? NO_STATE,
      istate: subscription?.istate ?? NO_STATE,
      isCanceled: () => session.closed,
    };
  }

  /**
   * A subscribe carrying a history request starts its streams held, and answers the request once confirmed;
   * one carrying presence joins once confirmed.
   */
  private async subscribe(
    session: Session,
    identifier: string,
    history: HistoryRequest | null,
    presence: PresenceJoin | null,
  ): Promise<void> {
    // A repeated subscribe of a confirmed identifier gets no answer at all: a reject would make the client
    // drop the subscription it already has.
    if (session.subscription(identifier)) throw new CommandError(`already subscribed to ${identifier}`);
    const result = await this.controller.subscribe(this.context(session, undefined), identifier);
    if (result.disconnectInterest) session.rpcInterest = true;
    if (result.status === 'ERROR') return this.logRejected(session, identifier, result);
    if (result.status === 'FAILURE' || session.closed) {
      session.cstate = mergeState(session.cstate, result.cstate);
      session.connection.send(result.transmissions);
      return;
    }
    const subscription = session.addSubscription(identifier);
    await this.apply(session, identifier, subscription, result, history !== null);
    if (session.subscription(identifier) !== subscription || session.closed) return;
    if (history) await this.replay.replay(session, identifier, subscription, history);
    if (presence) await this.presence.join(session, subscription, presence.id, presence.info);
  }

  private async unsubscribe(session: Session, identifier: string, subscription: Subscription): Promise<void> {
    const result = await this.controller.unsubscribe(this.context(session, subscription), identifier);
    if (result.disconnectInterest) session.rpcInterest = true;
    if (result.status === 'ERROR') return this.logRejected(session, identifier, result);
    await this.presence.unsubscribed(session, subscription);
    this.stopStreams(session, identifier, subscription);
    session.removeSubscription(identifier);
    session.cstate = mergeState(session.cstate, result.cstate);
    session.connection.send(result.transmissions);
    if (result.disconnect) this.closeAfterCommand(session);
  }

  /** Applies a command result in anycable-go's order: streams stopped, streams started, state, frames. */
  private async apply(
    session: Session,
    identifier: string,
    subscription: Subscription,
    result: CommandResult,
    held = false,
  ): Promise<void> {
    if (result.disconnectInterest) session.rpcInterest = true;
    if (result.status === 'ERROR') return this.logRejected(session, identifier, result);
    if (result.stopStreams) {
      this.stopStreams(session, identifier, subscription);
    } else {
      for (const stream of result.stoppedStreams) {
        if (subscription.streams.delete(stream)) this.router.unsubscribe(session, stream, identifier);
      }
    }
    const ready: Promise<void>[] = [];
    for (const stream of result.streams) {
      if (subscription.streams.has(stream) || session.closed) continue;
      subscription.streams.add(stream);
      const listening = this.router.subscribe(session, stream, identifier, held);
      if (listening) ready.push(listening);
    }
    if (ready.length > 0) await Promise.all(ready);
    subscription.istate = mergeState(subscription.istate, result.istate);
    session.cstate = mergeState(session.cstate, result.cstate);
    session.connection.send(result.transmissions);
    if (result.presence) await this.applyPresence(session, subscription, result.presence);
    if (result.disconnect) this.closeAfterCommand(session);
  }

  private applyPresence(session: Session, subscription: Subscription, change: PresenceChange): Promise<void> {
    return change.type === 'join'
      ? this.presence.join(session, subscription, change.id, change.info)
      : this.presence.leave(session, subscription);
  }

  private stopStreams(session: Session, identifier: string, subscription: Subscription): void {
    for (const stream of subscription.streams) this.router.unsubscribe(session, stream, identifier);
    subscription.streams.clear();
  }

  private whisper(session: Session, subscription: Subscription, data: unknown): void {
    const stream = subscription.istate?.$w;
    if (stream === undefined) {
      if (this.logger.enabled('debug'))
        this.logger.debug('whisper dropped: not allowed on this subscription', { sid: session.sid });
      return;
    }
    this.publisher.publish({
      stream,
      data: JSON.stringify(data) ?? 'null',
      meta: { exclude_socket: session.sid, transient: true },
    });
  }

  private closeAfterCommand(session: Session): void {
    session.connection.close(Close.commandFailed.code, Close.commandFailed.reason);
  }

  private logRejected(session: Session, identifier: string, result: CommandResult): void {
    this.counters.failed.inc();
    this.failureLog.log('command answered with ERROR', { sid: session.sid, identifier, error: result.errorMessage ?? '' });
  }
}
