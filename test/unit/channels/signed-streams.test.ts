import type { CommandContext, CommandResult } from '../../../gateway/src/core/controller';
import { identifierParams } from '../../../gateway/src/channels/identifier-params';
import type { LocalChannel } from '../../../gateway/src/channels/local-channel';
import {
  CABLE_READY_CHANNEL,
  PUBSUB_CHANNEL,
  TURBO_STREAMS_CHANNEL,
  cableReadyChannel,
  pubsubChannel,
  signedStreamChannels,
  turboStreamsChannel,
} from '../../../gateway/src/channels/signed-streams';
import type { StreamsConfig } from '../../../gateway/src/config/config';
import { createLogger } from '../../../shared/src/logger';
import { signStreamName } from '../../../shared/src/message-verifier';
import { signedStreamVectors, type SignedStreamVector } from '../shared/rails-vectors';

const KEY = 's3cЯeT';
const logger = createLogger({ level: 'error', format: 'json', sink: () => undefined });
const context: CommandContext = {
  sid: 'sid-1',
  identifiers: '{}',
  env: { url: 'http://localhost/cable', headers: {} },
  cstate: {},
  istate: {},
};

const STREAMS: StreamsConfig = {
  pubsubSecret: KEY,
  publicStreams: false,
  whisper: false,
  presence: true,
  turboSecret: KEY,
  cableReadySecret: KEY,
};
const PUBLIC_STREAMS: StreamsConfig = { ...STREAMS, publicStreams: true };

function confirmation(identifier: string): string {
  return `{"type":"confirm_subscription","identifier":${JSON.stringify(identifier)}}`;
}

function rejection(identifier: string): string {
  return `{"type":"reject_subscription","identifier":${JSON.stringify(identifier)}}`;
}

/** Subscribes with `identifier` as the router hands it over (parsed; what is not an object has no params). */
function subscribeWith(channel: LocalChannel, identifier: string): Promise<CommandResult> {
  return channel.subscribe(context, identifier, identifierParams(identifier) ?? {});
}

/** Subscribes with an identifier built the way @rails/actioncable builds it (`channel` first). */
function subscribe(channel: LocalChannel | undefined, params: object): Promise<CommandResult | undefined> {
  return channel ? subscribeWith(channel, JSON.stringify(params)) : Promise.resolve(undefined);
}

interface VectorKind {
  readonly channel: (key: string) => LocalChannel;
  readonly params: (signed: string) => object;
}

const byKind: Record<SignedStreamVector['kind'], VectorKind> = {
  turbo: {
    channel: (key) => turboStreamsChannel(key, logger),
    params: (signed) => ({ channel: TURBO_STREAMS_CHANNEL, signed_stream_name: signed }),
  },
  cable_ready: {
    channel: (key) => cableReadyChannel(key, logger),
    params: (signed) => ({ channel: CABLE_READY_CHANNEL, identifier: signed }),
  },
  pubsub: {
    channel: (key) => pubsubChannel({ ...STREAMS, pubsubSecret: key }, logger),
    params: (signed) => ({ channel: PUBSUB_CHANNEL, signed_stream_name: signed }),
  },
};

describe('signed-stream channels with names signed by Ruby', () => {
  test.each(signedStreamVectors.map((vector) => [vector.kind, vector.name, vector.expect, vector] as const))(
    '%s: the vector "%s" is %s',
    async (_kind, _name, _expect, vector) => {
      const { channel, params } = byKind[vector.kind];
      const identifier = JSON.stringify(params(vector.signed));
      const result = await subscribeWith(channel(vector.key), identifier);
      if (vector.expect === 'ok') {
        expect(result).toMatchObject({
          status: 'SUCCESS',
          streams: [vector.stream],
          transmissions: [confirmation(identifier)],
          disconnectInterest: false,
        });
      } else {
        expect(result).toMatchObject({ status: 'FAILURE', streams: [], transmissions: [rejection(identifier)] });
      }
    },
  );
});

describe('Turbo::StreamsChannel', () => {
  const turbo = turboStreamsChannel(KEY, logger);
  const signed = signStreamName('chat/1', KEY);

  const channel = `"channel":"${TURBO_STREAMS_CHANNEL}"`;
  const name = `"signed_stream_name":"${signed}"`;

  test.each([
    ['Turbo element order', `{${channel},${name},"zz_attr":"1","a_attr":"<b>"}`],
    ['@anycable alphabetical order', `{"a_attr":"<b>",${channel},${name},"zz_attr":"1"}`],
    ['spaces and escapes', `{ ${channel} , ${name}, "x": "\\u00e9/" }`],
  ])('echoes an identifier in %s byte for byte', async (_order, identifier) => {
    const result = await subscribeWith(turbo, identifier);
    expect(result.transmissions).toEqual([confirmation(identifier)]);
    expect(JSON.parse(result.transmissions[0]).identifier).toBe(identifier);
  });

  test('echoes a rejected identifier byte for byte', async () => {
    const identifier = `{"signed_stream_name":"forged--00","channel":"${TURBO_STREAMS_CHANNEL}"}`;
    expect((await subscribeWith(turbo, identifier)).transmissions).toEqual([rejection(identifier)]);
  });

  test('sets no subscription state', async () => {
    const result = await subscribe(turbo, { channel: TURBO_STREAMS_CHANNEL, signed_stream_name: signed });
    expect(result?.status).toBe('SUCCESS');
    expect(result?.istate).toBeUndefined();
  });

  test('rejects an unsigned stream_name', async () => {
    expect((await subscribe(turbo, { channel: TURBO_STREAMS_CHANNEL, stream_name: 'chat/1' }))?.status).toBe('FAILURE');
  });

  test.each([
    ['a malformed identifier', `{"channel":"${TURBO_STREAMS_CHANNEL}",`],
    ['an identifier that is not an object', `["${TURBO_STREAMS_CHANNEL}"]`],
    ['a missing signed_stream_name', `{"channel":"${TURBO_STREAMS_CHANNEL}"}`],
    ['an empty signed_stream_name', `{"channel":"${TURBO_STREAMS_CHANNEL}","signed_stream_name":""}`],
    ['a signed_stream_name that is not a string', `{"channel":"${TURBO_STREAMS_CHANNEL}","signed_stream_name":42}`],
  ])('rejects %s', async (_case, identifier) => {
    expect(await subscribeWith(turbo, identifier)).toMatchObject({
      status: 'FAILURE',
      streams: [],
      transmissions: [rejection(identifier)],
    });
  });

  test('stops every stream of the subscription on unsubscribe, sending nothing', async () => {
    expect(await turbo.unsubscribe(context, `{"channel":"${TURBO_STREAMS_CHANNEL}"}`)).toEqual({
      status: 'SUCCESS',
      disconnect: false,
      stopStreams: true,
      stoppedStreams: [],
      streams: [],
      transmissions: [],
      disconnectInterest: false,
    });
  });
});

describe('CableReady::Stream', () => {
  const cableReady = cableReadyChannel(KEY, logger);
  const signed = signStreamName('gid://app/User/1:posts', KEY);

  test('reads the signed name from the identifier param', async () => {
    const result = await subscribe(cableReady, { channel: CABLE_READY_CHANNEL, identifier: signed });
    expect(result?.streams).toEqual(['gid://app/User/1:posts']);
  });

  test('ignores a signed_stream_name param', async () => {
    const result = await subscribe(cableReady, { channel: CABLE_READY_CHANNEL, signed_stream_name: signed });
    expect(result?.status).toBe('FAILURE');
  });
});

describe('$pubsub', () => {
  const signedParams = { channel: PUBSUB_CHANNEL, signed_stream_name: signStreamName('room/1', KEY) };
  const publicParams = { channel: PUBSUB_CHANNEL, stream_name: 'lobby' };

  test('rejects a public stream_name without public streams', async () => {
    const result = await subscribe(pubsubChannel(STREAMS, logger), publicParams);
    expect(result).toMatchObject({ status: 'FAILURE', transmissions: [rejection(JSON.stringify(publicParams))] });
  });

  test('streams from a public stream_name with public streams, with whispers and presence', async () => {
    const result = await subscribe(pubsubChannel(PUBLIC_STREAMS, logger), publicParams);
    expect(result).toMatchObject({ status: 'SUCCESS', streams: ['lobby'], istate: { $w: 'lobby', $p: 'lobby' } });
  });

  test('gives a signed stream presence but no whispers by default', async () => {
    const result = await subscribe(pubsubChannel(STREAMS, logger), signedParams);
    expect(result?.streams).toEqual(['room/1']);
    expect(result?.istate).toEqual({ $p: 'room/1' });
  });

  test('gives a signed stream whispers too when streams whisper is on', async () => {
    const result = await subscribe(pubsubChannel({ ...STREAMS, whisper: true }, logger), signedParams);
    expect(result?.istate).toEqual({ $w: 'room/1', $p: 'room/1' });
  });

  test('prefers the signed name when both names are given', async () => {
    const result = await subscribe(pubsubChannel(PUBLIC_STREAMS, logger), { ...signedParams, stream_name: 'lobby' });
    expect(result?.streams).toEqual(['room/1']);
    expect(result?.istate).toEqual({ $p: 'room/1' });
  });

  test('rejects a forged signed name even when a public stream_name is allowed and given', async () => {
    const params = { ...publicParams, signed_stream_name: 'forged--00' };
    expect((await subscribe(pubsubChannel(PUBLIC_STREAMS, logger), params))?.status).toBe('FAILURE');
  });

  test('rejects a stream_name that is not a string', async () => {
    const params = { channel: PUBSUB_CHANNEL, stream_name: ['lobby'] };
    expect((await subscribe(pubsubChannel(PUBLIC_STREAMS, logger), params))?.status).toBe('FAILURE');
  });

  test('rejects signed names when no streams secret is configured', async () => {
    const unkeyed = pubsubChannel({ ...STREAMS, pubsubSecret: '' }, logger);
    expect((await subscribe(unkeyed, signedParams))?.status).toBe('FAILURE');
  });
});

describe('signedStreamChannels', () => {
  test('serves $pubsub, Turbo Streams and CableReady when every secret is set', () => {
    const names = [...signedStreamChannels(STREAMS, logger).keys()];
    expect(names.sort()).toEqual([CABLE_READY_CHANNEL, PUBSUB_CHANNEL, TURBO_STREAMS_CHANNEL].sort());
  });

  test('leaves Turbo Streams and CableReady to the Rails app when they have no secret', () => {
    const channels = signedStreamChannels({ ...STREAMS, turboSecret: null, cableReadySecret: null }, logger);
    expect([...channels.keys()]).toEqual([PUBSUB_CHANNEL]);
  });

  test('verifies each channel with its own secret', async () => {
    const channels = signedStreamChannels({ ...STREAMS, turboSecret: 'turbo', cableReadySecret: 'cable' }, logger);
    const signedForTurbo = signStreamName('t', 'turbo');
    const turbo = await subscribe(channels.get(TURBO_STREAMS_CHANNEL), {
      channel: TURBO_STREAMS_CHANNEL,
      signed_stream_name: signedForTurbo,
    });
    const cableReady = await subscribe(channels.get(CABLE_READY_CHANNEL), {
      channel: CABLE_READY_CHANNEL,
      identifier: signedForTurbo,
    });
    expect(turbo?.status).toBe('SUCCESS');
    expect(cableReady?.status).toBe('FAILURE');
  });
});
