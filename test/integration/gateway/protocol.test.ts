import { rawClient, type RawClient } from '../../support/clients';
import { metricValue, postBroadcast, startGateway, type GatewayProcess } from '../../support/gateway';
import { startRpcServer, type TestRpcServer } from '../../support/rpc-server';
import { waitFor } from '../../support/wait';

/** The Action Cable protocol on the wire, and the input a node must survive (SPEC §1, §4). */
let rpc: TestRpcServer;
let gateway: GatewayProcess;
/** Subscribed to `chat_witness` for the whole file: bad input from others must never disturb it. */
let witness: RawClient;
let witnessCount = 0;

const chat = (room: string) => JSON.stringify({ channel: 'ChatChannel', room });

async function connect(user: string, headers: Record<string, string> = {}): Promise<RawClient> {
  const client = await rawClient(gateway.url, { headers: { cookie: `username=${user}`, ...headers } });
  await client.welcome();
  return client;
}

async function subscribe(client: RawClient, identifier: string): Promise<void> {
  client.send({ command: 'subscribe', identifier });
  await client.next(
    (frame) => frame.type === 'confirm_subscription' && frame.identifier === identifier,
    `confirm of ${identifier}`,
  );
}

/** Broadcasts to the witness and waits until it got it: the node is up and delivering. */
async function witnessStillReceives(): Promise<void> {
  witnessCount += 1;
  const marker = `witness-${witnessCount}`;
  expect(await postBroadcast(gateway.broadcastUrl, { stream: 'chat_witness', data: JSON.stringify(marker) })).toBe(201);
  await witness.next((frame) => frame.message === marker, marker);
}

/** A ping command answered with a pong proves the connection is still read, after everything sent before. */
async function stillReads(client: RawClient): Promise<void> {
  const pongs = client.messages().filter((frame) => frame.type === 'pong').length;
  client.send({ command: 'ping' });
  await waitFor(() => client.messages().filter((frame) => frame.type === 'pong').length > pongs, 'pong');
}

beforeAll(async () => {
  rpc = await startRpcServer();
  gateway = await startGateway({
    rpc_host: rpc.address,
    metrics_http: '/metrics',
    max_message_size: 4096,
    ws_max_pending_size: 262144,
  });
  witness = await connect('witness');
  await subscribe(witness, chat('witness'));
});

afterAll(async () => {
  witness?.close();
  await gateway?.stop();
  await rpc?.stop();
});

afterEach(async () => {
  await witnessStillReceives();
});

describe('the connection', () => {
  it('negotiates actioncable-v1-json and welcomes with the sid', async () => {
    const client = await connect('proto');
    expect(client.ws.protocol).toBe('actioncable-v1-json');
    expect((await client.welcome()).sid).toEqual(expect.any(String));
    client.close();
  });

  it('accepts a client that offers no sub-protocol', async () => {
    const client = await rawClient(gateway.url, { protocols: [], headers: { cookie: 'username=plain' } });
    await client.welcome();
    expect(client.ws.protocol).toBe('');
    client.close();
  });

  it('pings every second with ?pi=1, with millisecond timestamps with ?ptp=ms', async () => {
    const client = await rawClient(`${gateway.url}?pi=1&ptp=ms`, { headers: { cookie: 'username=pinged' } });
    const pings = await waitFor(
      () => {
        const found = client.frames.map((frame) => JSON.parse(frame)).filter((frame) => frame.type === 'ping');
        return found.length >= 2 && found;
      },
      'two pings',
      5000,
    );
    expect(Math.abs(pings[0].message - Date.now())).toBeLessThan(10_000);
    client.close();
  });

  it('pings with second timestamps by default', async () => {
    const client = await connect('pinged2');
    const ping = JSON.parse(await waitFor(() => client.frames.find((frame) => frame.includes('"ping"')), 'a ping', 5000));
    expect(Math.abs(ping.message - Date.now() / 1000)).toBeLessThan(10);
    client.close();
  });

  it('answers a ping command with a pong', async () => {
    const client = await connect('ponged');
    client.send({ command: 'ping' });
    await client.next((frame) => frame.type === 'pong');
    client.close();
  });

  it('answers the health path', async () => {
    const response = await fetch(`${gateway.httpUrl}/health`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('Ok');
  });
});

describe('subscriptions', () => {
  it('echoes identifiers byte for byte, whatever their key order, escapes and characters', async () => {
    const client = await connect('echo');
    const identifiers = [
      '{"room":"z1","channel":"ChatChannel"}',
      '{"channel":"ChatChannel","room":"ü \\u00fc <&>\\/"}',
      '{ "channel" : "ChatChannel", "room" : "spaced" }',
    ];
    for (const identifier of identifiers) await subscribe(client, identifier);
    const confirmed = client
      .messages()
      .filter((frame) => frame.type === 'confirm_subscription')
      .map((frame) => frame.identifier);
    expect(confirmed).toEqual(identifiers);
    client.close();
  });

  it('gives no answer at all to a second subscribe of a confirmed identifier', async () => {
    const client = await connect('dup');
    await subscribe(client, chat('dup'));
    client.send({ command: 'subscribe', identifier: chat('dup') });
    await stillReads(client);
    expect(client.messages().filter((frame) => frame.identifier === chat('dup'))).toHaveLength(1);
    client.close();
  });

  it('handles unsubscribe then subscribe of one identifier in order, as Turbo does on replace', async () => {
    const client = await connect('turbo-replace');
    await subscribe(client, chat('replace'));
    client.send({ command: 'unsubscribe', identifier: chat('replace') });
    client.send({ command: 'subscribe', identifier: chat('replace') });
    await waitFor(
      () => client.messages().filter((frame) => frame.type === 'confirm_subscription').length === 2,
      'second confirmation',
    );
    client.close();
  });
});

describe('broadcasts', () => {
  it('reach every subscriber, once per subscription, in publication order', async () => {
    const a = await connect('order-a');
    const b = await connect('order-b');
    await subscribe(a, chat('order'));
    await subscribe(b, chat('order'));
    const batch = Array.from({ length: 20 }, (_, i) => ({ stream: 'chat_order', data: JSON.stringify({ n: i }) }));
    expect(await postBroadcast(gateway.broadcastUrl, batch.slice(0, 10))).toBe(201);
    for (const message of batch.slice(10)) expect(await postBroadcast(gateway.broadcastUrl, message)).toBe(201);
    for (const client of [a, b]) {
      const numbers = await waitFor(() => {
        const received = client.messages().filter((frame) => frame.identifier === chat('order') && frame.message !== undefined);
        return received.length === 20 && received.map((frame) => (frame.message as { n: number }).n);
      }, '20 messages');
      expect(numbers).toEqual(Array.from({ length: 20 }, (_, i) => i));
    }
    a.close();
    b.close();
  });

  it('skip the socket named in exclude_socket', async () => {
    const sender = await connect('ex-sender', { 'x-request-id': 'sender-sid-1' });
    const other = await connect('ex-other');
    await subscribe(sender, chat('exclude'));
    await subscribe(other, chat('exclude'));
    await postBroadcast(gateway.broadcastUrl, {
      stream: 'chat_exclude',
      data: '"not for sender"',
      meta: { exclude_socket: 'sender-sid-1' },
    });
    await postBroadcast(gateway.broadcastUrl, { stream: 'chat_exclude', data: '"for all"' });
    await other.next((frame) => frame.message === 'for all');
    await sender.next((frame) => frame.message === 'for all');
    expect(other.messages().some((frame) => frame.message === 'not for sender')).toBe(true);
    expect(sender.messages().some((frame) => frame.message === 'not for sender')).toBe(false);
    sender.close();
    other.close();
  });

  it('close every connection of the identifiers named in a remote disconnect, and only those', async () => {
    const first = await connect('remote-bob');
    const second = await connect('remote-bob');
    const bystander = await connect('remote-ann');
    const commandsBefore = await metricValue(gateway.httpUrl, 'cableway_remote_commands_total');
    const status = await postBroadcast(gateway.broadcastUrl, {
      command: 'disconnect',
      payload: { identifier: '{"current_user":"remote-bob"}', reconnect: false },
    });
    expect(status).toBe(201);
    for (const client of [first, second]) {
      expect(await client.closed).toBe(1000);
      expect(client.messages()).toContainEqual({ type: 'disconnect', reason: 'remote', reconnect: false });
    }
    await stillReads(bystander);
    expect(await metricValue(gateway.httpUrl, 'cableway_remote_commands_total')).toBe(commandsBefore + 1);
    bystander.close();
  });
});

describe('bad input from a client', () => {
  let client: RawClient;

  beforeEach(async () => {
    client = await connect('fuzzer');
  });

  afterEach(() => client.close());

  it.each([
    ['malformed JSON', '{"command":"subscribe",'],
    ['a frame that is not an object', '["subscribe"]'],
    ['an identifier that is not a string', '{"command":"subscribe","identifier":{"channel":"ChatChannel"}}'],
    ['an unknown command', '{"command":"launch","identifier":"{}"}'],
    [
      'message data that is not a string',
      `{"command":"message","identifier":${JSON.stringify(chat('x'))},"data":{"action":"speak"}}`,
    ],
    [
      'a message for a subscription it does not have',
      `{"command":"message","identifier":${JSON.stringify(chat('nope'))},"data":"{}"}`,
    ],
    [
      'an unsubscribe for a subscription it does not have',
      `{"command":"unsubscribe","identifier":${JSON.stringify(chat('nope'))}}`,
    ],
  ])('ignores %s, counts it and keeps reading', async (_name, frame) => {
    const failedBefore = await metricValue(gateway.httpUrl, 'cableway_failed_client_msg_total');
    client.send(frame);
    await stillReads(client);
    expect(await metricValue(gateway.httpUrl, 'cableway_failed_client_msg_total')).toBe(failedBefore + 1);
    expect(client.messages().filter((reply) => reply.type !== 'welcome' && reply.type !== 'pong')).toEqual([]);
  });

  it('closes with 1009 on a frame over max_message_size', async () => {
    client.send(JSON.stringify({ command: 'message', identifier: 'x', data: 'y'.repeat(5000) }));
    expect(await client.closed).toBe(1009);
  });

  it('survives thousands of subscribe and unsubscribe commands in a burst, answering its newest ones', async () => {
    const failedBefore = await metricValue(gateway.httpUrl, 'cableway_failed_client_msg_total');
    for (let i = 0; i < 500; i += 1) {
      client.send({ command: 'subscribe', identifier: chat(`burst-${i % 5}`) });
      client.send({ command: 'unsubscribe', identifier: chat(`burst-${i % 5}`) });
    }
    // A last subscribe behind the burst keeps its place: older commands gave way once too many waited.
    await subscribe(client, chat('after-burst'));
    await stillReads(client);
    expect(await metricValue(gateway.httpUrl, 'cableway_failed_client_msg_total')).toBeGreaterThan(failedBefore);
    await gateway.waitForOutput(/client command dropped: too many commands waiting/);
  }, 40_000);
});

describe('bad input from a publisher', () => {
  it('accepts and counts a broken publication with 201, and delivers the next good one', async () => {
    const failedBefore = await metricValue(gateway.httpUrl, 'cableway_failed_broadcast_msg_total');
    expect(await postBroadcast(gateway.broadcastUrl, '{"stream":"chat_witness","data":{"not":"a string"}}')).toBe(201);
    expect(await postBroadcast(gateway.broadcastUrl, 'not json at all')).toBe(201);
    expect(await metricValue(gateway.httpUrl, 'cableway_failed_broadcast_msg_total')).toBe(failedBefore + 2);
  });

  it('answers 422 to a broadcast request that is not a POST', async () => {
    const response = await fetch(gateway.broadcastUrl);
    expect(response.status).toBe(422);
  });
});

describe('a slow reader', () => {
  it('is disconnected with too_slow once its backlog passes ws_max_pending_size, after the messages before it', async () => {
    const slow = await connect('slow');
    await subscribe(slow, chat('flood'));
    const socket = (slow.ws as unknown as { _socket: import('node:net').Socket })._socket;
    socket.pause();
    const payload = JSON.stringify('x'.repeat(16 * 1024));
    const sent = await waitFor(
      async () => {
        const batch = Array.from({ length: 16 }, () => ({ stream: 'chat_flood', data: payload }));
        await postBroadcast(gateway.broadcastUrl, batch);
        return (await metricValue(gateway.httpUrl, 'cableway_disconnected_slow_clients_total')) >= 1;
      },
      'the too_slow disconnect',
      30_000,
    );
    expect(sent).toBe(true);
    await witnessStillReceives();
    socket.resume();
    expect(await slow.closed).toBe(1000);
    const frames = slow.messages();
    expect(frames[frames.length - 1]).toEqual({ type: 'disconnect', reason: 'too_slow', reconnect: true });
  }, 40_000);
});
