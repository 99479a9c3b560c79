import { CommandError } from '../../../shared/src/errors';
import { rejectFrame } from '../protocol/frames';
import type { CommandResult, Controller } from './controller';

/** With --norpc, channels that need the Rails app are refused: subscriptions rejected, the rest errors. */
export class NoRpcController implements Controller {
  async subscribe(_context: unknown, identifier: string): Promise<CommandResult> {
    return {
      status: 'FAILURE',
      disconnect: false,
      stopStreams: false,
      stoppedStreams: [],
      streams: [],
      transmissions: [rejectFrame(identifier)],
      disconnectInterest: false,
    };
  }

  async unsubscribe(): Promise<CommandResult> {
    throw new CommandError('RPC is disabled (--norpc): unsubscribe needs the RPC server');
  }

  async perform(): Promise<CommandResult> {
    throw new CommandError('RPC is disabled (--norpc): perform needs the RPC server');
  }
}
