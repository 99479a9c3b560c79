import type { RpcAvoided } from '../metrics/rpc-avoided';
import type { CommandContext, CommandResult, Controller } from '../core/controller';
import { identifierParams, type IdentifierParams } from './identifier-params';
import type { LocalChannel } from './local-channel';

/** Sends subscribe/unsubscribe of local channels to their verifier, everything else to the Rails app. */
export class ChannelRouter implements Controller {
  constructor(
    private readonly local: ReadonlyMap<string, LocalChannel>,
    private readonly remote: Controller,
    private readonly avoided: RpcAvoided,
  ) {}

  subscribe(context: CommandContext, identifier: string): Promise<CommandResult> {
    const route = this.localRoute(identifier);
    if (!route) return this.remote.subscribe(context, identifier);
    this.avoided.subscribe.inc();
    return route.channel.subscribe(context, identifier, route.params);
  }

  unsubscribe(context: CommandContext, identifier: string): Promise<CommandResult> {
    const route = this.localRoute(identifier);
    if (!route) return this.remote.unsubscribe(context, identifier);
    this.avoided.unsubscribe.inc();
    return route.channel.unsubscribe(context, identifier);
  }

  perform(context: CommandContext, identifier: string, data: string): Promise<CommandResult> {
    return this.remote.perform(context, identifier, data);
  }

  /** The local channel an identifier names, with its parsed params; identifiers are parsed only here. */
  private localRoute(identifier: string): { channel: LocalChannel; params: IdentifierParams } | undefined {
    const params = identifierParams(identifier);
    const name = params?.channel;
    const channel = typeof name === 'string' ? this.local.get(name) : undefined;
    return channel && params ? { channel, params } : undefined;
  }
}
