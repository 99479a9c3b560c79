import type { CommandContext, DisconnectRequest, RequestEnv } from '../core/controller';
import type * as pb from './proto';

/** The anycable.RPC request messages built from what the session knows. */

export function connectionRequest(env: RequestEnv): pb.ConnectionRequest {
  return { env: { url: env.url, headers: env.headers } };
}

/** `data` is given for the `message` command only. */
export function commandMessage(
  context: CommandContext,
  command: pb.Command,
  identifier: string,
  data?: string,
): pb.CommandMessage {
  return {
    command,
    identifier,
    connection_identifiers: context.identifiers,
    data,
    env: { url: context.env.url, headers: context.env.headers, cstate: context.cstate, istate: context.istate },
  };
}

export function disconnectRequest(request: DisconnectRequest): pb.DisconnectRequest {
  return {
    identifiers: request.identifiers,
    subscriptions: request.subscriptions,
    env: { url: request.env.url, headers: request.env.headers, cstate: request.cstate, istate: request.istate },
  };
}
