import type { Logger } from '../../../shared/src/logger';
import { MessageVerifier } from '../../../shared/src/message-verifier';
import { confirmFrame } from '../protocol/frames';
import type { CommandContext, CommandResult, StateMap } from '../core/controller';
import { subscriptionRejected } from './rejection';
import type { IdentifierParams } from './identifier-params';
import type { LocalChannel } from './local-channel';

/** Subscription state naming the stream whispers of this subscription go to. */
export const WHISPER_STREAM_STATE = '$w';
/** Subscription state naming the stream this subscription's presence is tracked on. */
export const PRESENCE_STREAM_STATE = '$p';

export interface StreamChannelOptions {
  /** Channel name, for log lines. */
  readonly channel: string;
  /** The identifier param holding a signed stream name (Rails MessageVerifier format). */
  readonly signedParam: string;
  /** The identifier param holding an unsigned stream name, or null when the channel has none. */
  readonly unsignedParam: string | null;
  /** Whether an unsigned stream name is accepted (it is rejected otherwise). */
  readonly allowUnsigned: boolean;
  /** Whether signed streams take whispers; unsigned ones always do. */
  readonly whisper: boolean;
  /** Whether signed streams track presence; unsigned ones always do. */
  readonly presence: boolean;
}

type Resolution = { readonly stream: string; readonly unsigned: boolean } | { readonly rejection: string };

const UNSUBSCRIBED: CommandResult = {
  status: 'SUCCESS',
  disconnect: false,
  stopStreams: true,
  stoppedStreams: [],
  streams: [],
  transmissions: [],
  disconnectInterest: false,
};

/** A param's value when it is a string or absent (`''`); null when it has another type. */
function stringParam(params: IdentifierParams, name: string): string | null {
  const value = params[name];
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : null;
}

/**
 * A channel whose subscription streams from the stream named in its identifier, verified locally with
 * the channel's secret: Turbo Streams, CableReady and `$pubsub` differ only in their options. The verifier
 * (and its key) is built once per channel.
 */
export class StreamChannel implements LocalChannel {
  private readonly verifier: MessageVerifier;
  private readonly logger: Logger;

  constructor(
    secret: string,
    private readonly options: StreamChannelOptions,
    logger: Logger,
  ) {
    this.verifier = new MessageVerifier(secret);
    this.logger = logger.child({ component: 'streams', channel: options.channel });
  }

  async subscribe(context: CommandContext, identifier: string, params: IdentifierParams): Promise<CommandResult> {
    const resolution = this.resolve(params);
    if ('rejection' in resolution) {
      if (this.logger.enabled('debug')) {
        this.logger.debug('subscription rejected', { sid: context.sid, identifier, reason: resolution.rejection });
      }
      return subscriptionRejected(identifier);
    }
    return {
      status: 'SUCCESS',
      disconnect: false,
      stopStreams: false,
      stoppedStreams: [],
      streams: [resolution.stream],
      transmissions: [confirmFrame(identifier)],
      istate: this.stateOf(resolution.stream, resolution.unsigned),
      disconnectInterest: false,
    };
  }

  async unsubscribe(): Promise<CommandResult> {
    return UNSUBSCRIBED;
  }

  private resolve(params: IdentifierParams): Resolution {
    const { signedParam, unsignedParam } = this.options;
    const signed = stringParam(params, signedParam);
    const unsigned = unsignedParam === null ? '' : stringParam(params, unsignedParam);
    if (signed === null || unsigned === null) return { rejection: 'stream name is not a string' };
    if (signed !== '') {
      const stream = this.verifier.verify(signed);
      return stream === null ? { rejection: 'invalid signature' } : { stream, unsigned: false };
    }
    if (unsigned === '') return { rejection: 'no stream name' };
    if (!this.options.allowUnsigned) return { rejection: 'public streams are not allowed' };
    return { stream: unsigned, unsigned: true };
  }

  private stateOf(stream: string, unsigned: boolean): StateMap | undefined {
    const whisper = unsigned || this.options.whisper;
    const presence = unsigned || this.options.presence;
    if (!whisper && !presence) return undefined;
    const state: Record<string, string> = {};
    if (whisper) state[WHISPER_STREAM_STATE] = stream;
    if (presence) state[PRESENCE_STREAM_STATE] = stream;
    return state;
  }
}
