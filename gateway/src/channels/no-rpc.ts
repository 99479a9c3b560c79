import { CommandError } from '../../../shared/src/errors';
import type { CommandResult, Controller } from '../core/controller';
import { subscriptionRejected } from './rejection';

/** With --norpc, channels that need the Rails app are refused: subscriptions rejected, the rest errors. */
export class NoRpcController implements Controller {
  async subscribe(_context: unknown, identifier: string): Promise<CommandResult> {
    return subscriptionRejected(identifier);
  }

  async unsubscribe(): Promise<CommandResult> {
    throw new CommandError('RPC is disabled (--norpc): unsubscribe needs the RPC server');
  }

  async perform(): Promise<CommandResult> {
    throw new CommandError('RPC is disabled (--norpc): perform needs the RPC server');
  }
}
