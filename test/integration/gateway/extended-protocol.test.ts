import { anycableCable, dropConnection, EXTENDED_PROTOCOLS, rawClient, type RawClient } from '../../support/clients';
import { metricValue, postBroadcast, startGateway, type GatewayProcess } from '../../support/gateway';
import { startRpcServer, type TestRpcServer } from '../../support/rpc-server';
import { waitFor } from '../../support/wait';

/**
 * The extended protocol on a standalone node with the memory broker: positioned broadcasts, history,
 * sessions restored without RPC, and plain clients untouched.
 */
let rpc: TestRpcServer;
let gateway: GatewayProcess;

const PUBSUB = (stream: string) => JSON.stringify({ channel: '$pubsub', stream_name: stream });
const positionOf = (frame: Record<string, unknown>) => ({ epoch: frame.epoch as string, offset: frame.offset as number });

beforeAll(async () => {
  rpc = await startRpcServer();
  gateway = await startGateway({
    rpc_host: rpc.address,
    broker: 'memory',
    history_limit: 20,
    public_streams: true,
    broadcast_key: 'k',
    metrics_http: '/metrics',
  });
});

afterAll(async () => {
  await gateway?.stop();
  await rpc?.stop();
});

const broadcast = (stream: string, data: unknown, meta?: Record<string, unknown>) =>
  postBroadcast(gateway.broadcastUrl, { stream, data: JSON.stringify(data), ...(meta ? { meta } : {}) }, 'k');

async function extClient(): Promise<RawClient> {
  const client = await rawClient(gateway.url, { protocols: EXTENDED_PROTOCOLS, headers: { cookie: 'username=raw' } });
  await client.welcome();
  return client;
}

async function subscribed(client: RawClient, identifier: string, history?: unknown): Promise<void> {
  client.send({ command: 'subscribe', identifier, ...(history ? { history } : {}) });
  await client.next((frame) => frame.type === 'confirm_subscription' && frame.identifier === identifier, 'confirmation');
}

describe('the extended protocol', () => {
  it('is negotiated on the same port, with a welcome carrying the sid', async () => {
    const client = await extClient();
    expect(client.ws.protocol).toBe('actioncable-v1-ext-json');
    expect((await client.welcome()).sid).toEqual(expect.any(String));
    client.close();
  });

  it('gives broadcasts their stream, epoch and offset', async () => {
    const client = await extClient();
    await subscribed(client, PUBSUB('positions'));
    await broadcast('positions', { n: 1 });
    await broadcast('positions', { n: 2 });
    const frames = await waitFor(() => {
      const data = client.messages().filter((frame) => frame.message && frame.identifier === PUBSUB('positions'));
      return data.length === 2 && data;
    }, 'two broadcasts');
    expect(frames.map((frame) => [frame.stream_id, frame.offset])).toEqual([
      ['positions', 1],
      ['positions', 2],
    ]);
    expect(frames[0]!.epoch).toEqual(expect.any(String));
    client.close();
  });

  it('leaves plain clients on the same node with the frames of today, byte for byte', async () => {
    const plain = await rawClient(gateway.url, { headers: { cookie: 'username=plain' } });
    await plain.welcome();
    await subscribed(plain, PUBSUB('plain'));
    await broadcast('plain', { text: 'hi' });
    await plain.next((frame) => frame.message !== undefined, 'the broadcast');
    const frame = plain.frames.find((text) => text.includes('"message"'));
    expect(frame).toBe(`{"identifier":${JSON.stringify(PUBSUB('plain'))},"message":{"text":"hi"}}`);
    plain.close();
  });

  it('answers a history request after a position with what followed, then confirm_history', async () => {
    const client = await extClient();
    await subscribed(client, PUBSUB('after'));
    for (let n = 1; n <= 3; n += 1) await broadcast('after', { n });
    const first = await client.next((frame) => frame.offset === 1, 'the first broadcast');
    await client.next((frame) => frame.offset === 3, 'the third broadcast');
    const late = await extClient();
    await subscribed(late, PUBSUB('after'), { streams: { after: positionOf(first) } });
    await late.next((frame) => frame.type === 'confirm_history', 'confirm_history');
    const replay = late.messages().filter((frame) => frame.message !== undefined);
    expect(replay.map((frame) => (frame.message as { n: number }).n)).toEqual([2, 3]);
    const types = late.messages().map((frame) => frame.type ?? 'data');
    expect(types.slice(-3)).toEqual(['data', 'data', 'confirm_history']);
    client.close();
    late.close();
  });

  it('replays by timestamp on subscribe, and never replays transient messages', async () => {
    const since = Math.floor(Date.now() / 1000) - 1;
    await broadcast('since', { n: 1 });
    await broadcast('since', { whisper: true }, { transient: true });
    await broadcast('since', { n: 2 });
    const client = await extClient();
    await subscribed(client, PUBSUB('since'), { since });
    await client.next((frame) => frame.type === 'confirm_history', 'confirm_history');
    const replay = client.messages().filter((frame) => frame.message !== undefined);
    expect(replay.map((frame) => frame.message)).toEqual([{ n: 1 }, { n: 2 }]);
    client.close();
  });

  it('rejects history it cannot continue: an unknown epoch, or an offset older than the retained history', async () => {
    for (let n = 1; n <= 25; n += 1) await broadcast('trimmed', { n });
    const client = await extClient();
    await subscribed(client, PUBSUB('trimmed'));
    client.send({
      command: 'history',
      identifier: PUBSUB('trimmed'),
      history: { streams: { trimmed: { epoch: 'nope', offset: 7 } } },
    });
    await client.next((frame) => frame.type === 'reject_history', 'reject_history for an unknown epoch');
    const live = await extClient();
    await subscribed(live, PUBSUB('trimmed'), { since: 1 });
    await live.next((frame) => frame.type === 'confirm_history', 'confirm_history');
    const kept = live.messages().filter((frame) => frame.message !== undefined);
    // history_limit=20: offsets 6..25 are kept.
    expect(kept.map((frame) => frame.offset)).toEqual(Array.from({ length: 20 }, (_, index) => index + 6));
    const epoch = kept[0]!.epoch as string;
    live.send({ command: 'history', identifier: PUBSUB('trimmed'), history: { streams: { trimmed: { epoch, offset: 4 } } } });
    await waitFor(() => live.messages().filter((frame) => frame.type === 'reject_history').length === 1, 'reject_history');
    live.send({ command: 'history', identifier: PUBSUB('trimmed'), history: { streams: { trimmed: { epoch, offset: 5 } } } });
    await waitFor(
      () => live.messages().filter((frame) => frame.type === 'confirm_history').length === 2,
      'a second confirm_history',
    );
    client.close();
    live.close();
  });

  it('restores a dropped @anycable/web session with no RPC call, and delivers exactly what it missed, in order', async () => {
    const cable = anycableCable(gateway.url, {
      protocol: 'actioncable-v1-ext-json',
      websocketOptions: { headers: { cookie: 'username=roamer' } },
    });
    const connects: Array<{ restored?: boolean; reconnect?: boolean }> = [];
    cable.on('connect', (event) => connects.push(event));
    const channel = cable.subscribeTo('ChatChannel', { room: 'roaming' });
    const received: unknown[] = [];
    channel.on('message', (message: unknown) => received.push(message));
    await channel.ensureSubscribed();
    await broadcast('chat_roaming', { n: 0 });
    await waitFor(() => received.length === 1, 'the first broadcast');
    const callsBefore = { ...rpc.calls };
    const restoresBefore = await metricValue(gateway.httpUrl, 'cableway_rpc_avoided_total', '{op="restore"}');

    dropConnection(cable);
    await waitFor(() => cable.state !== 'connected', 'the client to notice the drop');
    for (let n = 1; n <= 10; n += 1) await broadcast('chat_roaming', { n });
    await waitFor(() => connects.length === 2, 'the client to reconnect', 20_000);
    expect(connects[1]).toEqual({ reconnect: true, restored: true });
    await waitFor(() => received.length >= 11, 'the missed broadcasts', 15_000);
    await broadcast('chat_roaming', { n: 11 });
    await waitFor(() => received.length >= 12, 'a live broadcast');
    expect(received).toEqual(Array.from({ length: 12 }, (_, n) => ({ n })));
    expect(rpc.calls.connect).toBe(callsBefore.connect);
    expect(rpc.calls.command).toBe(callsBefore.command);
    expect(await metricValue(gateway.httpUrl, 'cableway_rpc_avoided_total', '{op="restore"}')).toBe(restoresBefore + 1);
    cable.disconnect();
  });

  it('restores the session named by the X-AnyCable-Restore-Sid header', async () => {
    const first = await extClient();
    const sid = (await first.welcome()).sid as string;
    first.ws.terminate();
    await first.closed;
    const back = await rawClient(gateway.url, { protocols: EXTENDED_PROTOCOLS, headers: { 'x-anycable-restore-sid': sid } });
    expect((await back.welcome()).restored).toBe(true);
    back.close();
  });

  it('tracks presence on a standalone node: join events and the member set', async () => {
    const watcher = await extClient();
    await subscribed(watcher, PUBSUB('room'));
    const member = await extClient();
    await subscribed(member, PUBSUB('room'));
    member.send({ command: 'join', identifier: PUBSUB('room'), presence: { id: 'u1', info: { name: 'Ann' } } });
    const event = await watcher.next((frame) => frame.type === 'presence', 'the join event');
    expect(event.message).toEqual({ type: 'join', info: { name: 'Ann' }, id: 'u1' });
    watcher.send({ command: 'presence', identifier: PUBSUB('room') });
    const info = await watcher.next((frame) => frame.type === 'presence' && (frame.message as { type: string }).type === 'info');
    expect(info.message).toEqual({ type: 'info', total: 1, records: [{ info: { name: 'Ann' }, id: 'u1' }] });
    member.send({ command: 'unsubscribe', identifier: PUBSUB('room') });
    await watcher.next((frame) => frame.type === 'presence' && (frame.message as { type: string }).type === 'leave', 'the leave');
    watcher.close();
    member.close();
  });

  it("applies the presence the Rails app sets in a command result (anycable-rails' Presence API)", async () => {
    const room = JSON.stringify({ channel: 'ChatChannel', room: 'presence' });
    const watcher = await extClient();
    await subscribed(watcher, room);
    const member = await rawClient(gateway.url, { protocols: EXTENDED_PROTOCOLS, headers: { cookie: 'username=bea' } });
    await member.welcome();
    await subscribed(member, room);
    member.send({ command: 'message', identifier: room, data: JSON.stringify({ action: 'enter' }) });
    const joined = await watcher.next((frame) => frame.type === 'presence' && frame.identifier === room, 'the join event');
    expect(joined.message).toEqual({ type: 'join', info: { name: 'bea' }, id: 'bea' });
    member.send({ command: 'presence', identifier: room });
    const info = await member.next((frame) => frame.type === 'presence' && (frame.message as { type: string }).type === 'info');
    expect(info.message).toEqual({ type: 'info', total: 1, records: [{ info: { name: 'bea' }, id: 'bea' }] });
    member.send({ command: 'message', identifier: room, data: JSON.stringify({ action: 'exit' }) });
    const left = await watcher.next(
      (frame) => frame.type === 'presence' && (frame.message as { type: string }).type === 'leave',
      'the leave event',
    );
    expect(left.message).toEqual({ type: 'leave', id: 'bea' });
    watcher.close();
    member.close();
  });

  it('starts a fresh session for an unknown sid', async () => {
    const client = await rawClient(`${gateway.url}?sid=never-seen`, {
      protocols: EXTENDED_PROTOCOLS,
      headers: { cookie: 'username=fresh' },
    });
    const welcome = await client.welcome();
    expect(welcome.restored).toBeUndefined();
    client.close();
  });
});

describe('history retention', () => {
  it('forgets messages older than history_ttl', async () => {
    const short = await startGateway({ noauth: true, norpc: true, public_streams: true, broker: 'memory', history_ttl: 1 });
    try {
      await postBroadcast(short.broadcastUrl, { stream: 'fleeting', data: '"gone soon"' });
      const identifier = PUBSUB('fleeting');
      const replayed = async (): Promise<number> => {
        const client = await rawClient(short.url, { protocols: EXTENDED_PROTOCOLS });
        await client.welcome();
        client.send({ command: 'subscribe', identifier, history: { since: 1 } });
        await client.next((frame) => frame.type === 'confirm_history', 'confirm_history');
        const count = client.messages().filter((frame) => frame.message !== undefined).length;
        client.close();
        return count;
      };
      expect(await replayed()).toBe(1);
      await waitFor(async () => (await replayed()) === 0, 'the message to expire', 10_000, 250);
    } finally {
      await short.stop();
    }
  });
});
