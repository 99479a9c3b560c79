import { ErrorCode, RpcError } from '../../../shared/src/errors';
import type {
  CommandContext,
  CommandResult,
  ConnectResult,
  Controller,
  DisconnectRequest,
  Disconnector,
  RequestEnv,
} from '../core/controller';
import type { RpcCaller } from './caller';
import type * as pb from './proto';
import { commandMessage, connectionRequest, disconnectRequest } from './requests';
import { commandResult, connectResult } from './responses';

/**
 * The Rails app as the controller of connections and channels, through anycable.RPC. A Rails ERROR is a
 * result with status ERROR; a call that got no answer throws RpcError (CW_ERR_RPC_FAILED), one whose session
 * closed first throws RpcError (CW_ERR_RPC_CANCELED). Nothing is logged here: the caller handles failures.
 */
export class RpcController implements Controller, Disconnector {
  constructor(private readonly caller: RpcCaller) {}

  async connect(sid: string, env: RequestEnv, isCanceled?: () => boolean): Promise<ConnectResult> {
    return connectResult(await this.caller.call('connect', connectionRequest(env), { sid, isCanceled }));
  }

  subscribe(context: CommandContext, identifier: string): Promise<CommandResult> {
    return this.command(context, commandMessage(context, 'subscribe', identifier));
  }

  unsubscribe(context: CommandContext, identifier: string): Promise<CommandResult> {
    return this.command(context, commandMessage(context, 'unsubscribe', identifier));
  }

  perform(context: CommandContext, identifier: string, data: string): Promise<CommandResult> {
    return this.command(context, commandMessage(context, 'message', identifier, data));
  }

  /** Resolves once the Rails app has taken note; an ERROR answer throws RpcError (CW_ERR_RPC_FAILED) too. */
  async disconnect(request: DisconnectRequest): Promise<void> {
    const response = await this.caller.call('disconnect', disconnectRequest(request), { sid: request.sid });
    if (response.status === 'ERROR') {
      throw new RpcError(ErrorCode.RpcFailed, `RPC disconnect answered ERROR: ${response.error_msg}`);
    }
  }

  private async command(context: CommandContext, message: pb.CommandMessage): Promise<CommandResult> {
    const options = { sid: context.sid, isCanceled: context.isCanceled };
    return commandResult(await this.caller.call('command', message, options));
  }
}
