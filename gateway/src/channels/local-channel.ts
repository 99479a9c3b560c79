import type { CommandContext, CommandResult } from '../core/controller';
import type { IdentifierParams } from './identifier-params';

/**
 * A channel the gateway serves itself, with no RPC call. Only subscribe and unsubscribe are local: a
 * `message` command (perform) on its subscriptions still goes to the Rails app over RPC, as in anycable-go.
 */
export interface LocalChannel {
  /** `params` is the identifier already parsed by the router, so a subscription parses it once. */
  subscribe(context: CommandContext, identifier: string, params: IdentifierParams): Promise<CommandResult>;
  unsubscribe(context: CommandContext, identifier: string): Promise<CommandResult>;
}
