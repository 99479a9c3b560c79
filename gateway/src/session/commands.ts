import { CommandError, errorMessage } from '../../../shared/src/errors';
import type { Logger } from '../../../shared/src/logger';
import { RateLimitedLog } from '../../../shared/src/logger';
import type { Metrics } from '../../../shared/src/metrics';
import type { StreamMessage } from '../../../shared/src/publication';
import type { CommandContext, CommandResult, Controller } from '../channels/controller';
import type { Hub } from '../hub/hub';
import { decodeCommand, type ClientCommand } from '../protocol/commands';
import { Close, PONG_FRAME } from '../protocol/frames';
import type { Session, Subscription } from './session';
import { NO_STATE, mergeState } from './state';
import { WaitingLine } from './waiting-line';

/**
 * Commands a session may have waiting behind a slow one. Each may be an RPC call made one after the other,
 * so this bounds how long the newest command of a flooding client waits for its answer.
 */
const MAX_WAITING_COMMANDS = 128;

/** Where whispers go: every node's subscribers of a stream. */
export interface StreamPublisher {
  publish(message: StreamMessage): void;
}

/** What happens to a session when its last command is done and it has closed meanwhile. */
export type SessionFinisher = (session: Session) => void;

/**
 * Handles the commands of every session: one at a time per session, in arrival order (the next frame
 * waits while an RPC call is in flight), applying each result as anycable-go does.
 */
export class CommandProcessor {
  private readonly messagesTotal;
  private readonly failedMessagesTotal;
  private readonly badFrameLog: RateLimitedLog;
  private readonly failureLog: RateLimitedLog;

  constructor(
    private readonly controller: Controller,
    private readonly hub: Hub,
    private readonly streams: StreamPublisher,
    private readonly finish: SessionFinisher,
    private readonly logger: Logger,
    metrics: Metrics,
  ) {
    this.messagesTotal = metrics.counter('client_msg_total', 'Frames received from clients');
    this.failedMessagesTotal = metrics.counter(
      'failed_client_msg_total',
      'Client frames that were malformed or whose command failed',
    );
    this.badFrameLog = new RateLimitedLog(logger, 'warn');
    this.failureLog = new RateLimitedLog(logger, 'warn');
  }

  /**
   * Takes one frame of a session; its command is handled after every command received before it. A
   * malformed frame is refused at once: it would change nothing, so it never takes a place in the line.
   */
  receive(session: Session, frame: string): void {
    this.messagesTotal.inc();
    let command: ClientCommand;
    try {
      command = decodeCommand(frame);
    } catch (error) {
      this.failedMessagesTotal.inc();
      this.badFrameLog.log('malformed client frame ignored', { sid: session.sid, error: errorMessage(error), frame });
      return;
    }
    if (!session.busy) {
      void this.drain(session, command);
      return;
    }
    const evicted = (session.pending ??= new WaitingLine(MAX_WAITING_COMMANDS)).push(command);
    if (evicted) {
      this.failedMessagesTotal.inc();
      this.badFrameLog.log('client command dropped: too many commands waiting', { sid: session.sid, command: evicted.command });
    }
  }

  private async drain(session: Session, first: ClientCommand): Promise<void> {
    session.busy = true;
    let command: ClientCommand | undefined = first;
    while (command !== undefined) {
      await this.handleCommand(session, command);
      command = session.pending?.shift();
    }
    session.pending = null;
    session.busy = false;
    if (session.closed) this.finish(session);
  }

  private async handleCommand(session: Session, command: ClientCommand): Promise<void> {
    try {
      await this.execute(session, command);
    } catch (error) {
      this.failedMessagesTotal.inc();
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
        return this.subscribe(session, command.identifier);
      case 'unsubscribe':
        return this.unsubscribe(session, command.identifier, this.requireSubscription(session, command.identifier));
      case 'message': {
        const subscription = this.requireSubscription(session, command.identifier);
        const result = await this.controller.perform(this.context(session, subscription), command.identifier, command.data);
        return this.apply(session, command.identifier, subscription, result);
      }
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

  private async subscribe(session: Session, identifier: string): Promise<void> {
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
    await this.apply(session, identifier, session.addSubscription(identifier), result);
  }

  private async unsubscribe(session: Session, identifier: string, subscription: Subscription): Promise<void> {
    const result = await this.controller.unsubscribe(this.context(session, subscription), identifier);
    if (result.disconnectInterest) session.rpcInterest = true;
    if (result.status === 'ERROR') return this.logRejected(session, identifier, result);
    this.stopStreams(session, identifier, subscription);
    session.removeSubscription(identifier);
    session.cstate = mergeState(session.cstate, result.cstate);
    session.connection.send(result.transmissions);
    if (result.disconnect) this.closeAfterCommand(session);
  }

  /** Applies a command result in anycable-go's order: streams stopped, streams started, state, frames. */
  private async apply(session: Session, identifier: string, subscription: Subscription, result: CommandResult): Promise<void> {
    if (result.disconnectInterest) session.rpcInterest = true;
    if (result.status === 'ERROR') return this.logRejected(session, identifier, result);
    if (result.stopStreams) {
      this.stopStreams(session, identifier, subscription);
    } else {
      for (const stream of result.stoppedStreams) {
        if (subscription.streams.delete(stream)) this.hub.unsubscribe(session.connection, stream, identifier);
      }
    }
    const ready: Promise<void>[] = [];
    for (const stream of result.streams) {
      if (subscription.streams.has(stream) || session.closed) continue;
      subscription.streams.add(stream);
      const listening = this.hub.subscribe(session.connection, stream, identifier);
      if (listening) ready.push(listening);
    }
    if (ready.length > 0) await Promise.all(ready);
    subscription.istate = mergeState(subscription.istate, result.istate);
    session.cstate = mergeState(session.cstate, result.cstate);
    session.connection.send(result.transmissions);
    if (result.disconnect) this.closeAfterCommand(session);
  }

  private stopStreams(session: Session, identifier: string, subscription: Subscription): void {
    for (const stream of subscription.streams) this.hub.unsubscribe(session.connection, stream, identifier);
    subscription.streams.clear();
  }

  private whisper(session: Session, subscription: Subscription, data: unknown): void {
    const stream = subscription.istate?.$w;
    if (stream === undefined) {
      if (this.logger.enabled('debug'))
        this.logger.debug('whisper dropped: not allowed on this subscription', { sid: session.sid });
      return;
    }
    this.streams.publish({
      stream,
      data: JSON.stringify(data) ?? 'null',
      meta: { exclude_socket: session.sid, transient: true },
    });
  }

  private closeAfterCommand(session: Session): void {
    session.connection.close(Close.commandFailed.code, Close.commandFailed.reason);
  }

  private logRejected(session: Session, identifier: string, result: CommandResult): void {
    this.failedMessagesTotal.inc();
    this.failureLog.log('command answered with ERROR', { sid: session.sid, identifier, error: result.errorMessage ?? '' });
  }
}
