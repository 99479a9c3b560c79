import type { RpcAvoided } from '../metrics/rpc-avoided';
import type { CommandContext, CommandResult, Controller } from './controller';
import { channelNameOf } from './identifier-params';
import type { LocalChannel } from './local-channel';

/** Sends subscribe/unsubscribe of local channels to their verifier, everything else to the Rails app. */
export class ChannelRouter implements Controller {
  constructor(
    private readonly local: ReadonlyMap<string, LocalChannel>,
    private readonly remote: Controller,
    private readonly avoided: RpcAvoided,
  ) {}

  subscribe(context: CommandContext, identifier: string): Promise<CommandResult> {
    const channel = this.localChannel(identifier);
    if (!channel) return this.remote.subscribe(context, identifier);
    this.avoided.subscribe.inc();
    return channel.subscribe(context, identifier);
  }

  unsubscribe(context: CommandContext, identifier: string): Promise<CommandResult> {
    const channel = this.localChannel(identifier);
    if (!channel) return this.remote.unsubscribe(context, identifier);
    this.avoided.unsubscribe.inc();
    return channel.unsubscribe(context, identifier);
  }

  perform(context: CommandContext, identifier: string, data: string): Promise<CommandResult> {
    return this.remote.perform(context, identifier, data);
  }

  private localChannel(identifier: string): LocalChannel | undefined {
    if (this.local.size === 0) return undefined;
    const name = channelNameOf(identifier);
    return name === null ? undefined : this.local.get(name);
  }
}
