import type { Logger } from '../../../shared/src/logger';
import type { StreamsConfig } from '../config/config';
import type { LocalChannel } from './local-channel';
import { StreamChannel } from './stream-channel';

export const PUBSUB_CHANNEL = '$pubsub';
export const TURBO_STREAMS_CHANNEL = 'Turbo::StreamsChannel';
export const CABLE_READY_CHANNEL = 'CableReady::Stream';

/** `{channel:"$pubsub", signed_stream_name}`, or `{channel:"$pubsub", stream_name}` with --public_streams. */
export function pubsubChannel(config: StreamsConfig, logger: Logger): LocalChannel {
  return new StreamChannel(
    config.pubsubSecret,
    {
      channel: PUBSUB_CHANNEL,
      signedParam: 'signed_stream_name',
      unsignedParam: 'stream_name',
      allowUnsigned: config.publicStreams,
      whisper: config.whisper,
      presence: config.presence,
    },
    logger,
  );
}

/** A channel that takes only signed names, with neither whispers nor presence. */
function signedOnlyChannel(channel: string, signedParam: string, secret: string, logger: Logger): LocalChannel {
  const options = { channel, signedParam, unsignedParam: null, allowUnsigned: false, whisper: false, presence: false };
  return new StreamChannel(secret, options, logger);
}

/** `<turbo-cable-stream-source>`: `{channel:"Turbo::StreamsChannel", signed_stream_name, ...data attributes}`. */
export function turboStreamsChannel(secret: string, logger: Logger): LocalChannel {
  return signedOnlyChannel(TURBO_STREAMS_CHANNEL, 'signed_stream_name', secret, logger);
}

/** CableReady's `stream_from` elements: `{channel:"CableReady::Stream", identifier:<signed name>}`. */
export function cableReadyChannel(secret: string, logger: Logger): LocalChannel {
  return signedOnlyChannel(CABLE_READY_CHANNEL, 'identifier', secret, logger);
}

/**
 * The channels the gateway serves itself, by channel name: `$pubsub` always; Turbo Streams and CableReady
 * when their secret is configured (otherwise their subscriptions go to the Rails app over RPC).
 */
export function signedStreamChannels(config: StreamsConfig, logger: Logger): ReadonlyMap<string, LocalChannel> {
  const channels = new Map<string, LocalChannel>([[PUBSUB_CHANNEL, pubsubChannel(config, logger)]]);
  if (config.turboSecret !== null) {
    channels.set(TURBO_STREAMS_CHANNEL, turboStreamsChannel(config.turboSecret, logger));
  }
  if (config.cableReadySecret !== null) {
    channels.set(CABLE_READY_CHANNEL, cableReadyChannel(config.cableReadySecret, logger));
  }
  return channels;
}
