import { actionCableClient, anycableCable, rawClient, type RawClient } from '../../support/clients';
import { postBroadcast, startGateway, type GatewayProcess } from '../../support/gateway';
import { startRpcServer, type TestRpcServer } from '../../support/rpc-server';
import { waitFor } from '../../support/wait';

/** A node in front of the test Rails app (RPC), broadcasting over HTTP, as a Rails app with anycable-rails runs it. */
let rpc: TestRpcServer;
let gateway: GatewayProcess;

beforeAll(async () => {
  let broadcastUrl = '';
  rpc = await startRpcServer({ broadcast: async (stream, data) => void (await postBroadcast(broadcastUrl, { stream, data })) });
  gateway = await startGateway({ rpc_host: rpc.address });
  broadcastUrl = gateway.broadcastUrl;
});

afterAll(async () => {
  await gateway?.stop();
  await rpc?.stop();
});

const chat = (room: string) => JSON.stringify({ channel: 'ChatChannel', room });

describe('@rails/actioncable through the RPC path', () => {
  it('connects, subscribes, performs and receives the broadcast the app makes', async () => {
    const client = actionCableClient(gateway.url, { cookie: 'username=alice' });
    const { subscription, recorder } = client.subscribe({ channel: 'ChatChannel', room: 'ac1' });
    await recorder.confirmed();
    subscription.perform('speak', { message: 'hello' });
    expect(await recorder.messages(1)).toEqual([{ text: 'hello', from: 'alice' }]);
    client.close();
  });

  it('is kept alive by the pings it receives', async () => {
    const client = actionCableClient(`${gateway.url}?pi=1`, { cookie: 'username=pinged' });
    const { recorder } = client.subscribe({ channel: 'ChatChannel', room: 'pinged' });
    await recorder.confirmed();
    const monitor = (client.consumer as unknown as { connection: { monitor: { pingedAt?: number } } }).connection.monitor;
    const confirmedAt = Date.now();
    await waitFor(() => (monitor.pingedAt ?? 0) > confirmedAt, 'a ping recorded by the Action Cable monitor', 5000);
    client.close();
  });

  it('gets a rejection for a channel the app refuses', async () => {
    const client = actionCableClient(gateway.url, { cookie: 'username=alice' });
    const { recorder } = client.subscribe({ channel: 'RejectChannel' });
    await recorder.rejected();
    client.close();
  });

  it('stops receiving a stream after unsubscribing, and the app hears the unsubscribe', async () => {
    const client = actionCableClient(gateway.url, { cookie: 'username=alice' });
    const left = client.subscribe({ channel: 'ChatChannel', room: 'ac-left' });
    const kept = client.subscribe({ channel: 'ChatChannel', room: 'ac-kept' });
    await left.recorder.confirmed();
    await kept.recorder.confirmed();
    const unsubscribesBefore = rpc.requests.command.filter((call) => call.request.command === 'unsubscribe').length;
    left.subscription.unsubscribe();
    await waitFor(
      () => rpc.requests.command.filter((call) => call.request.command === 'unsubscribe').length > unsubscribesBefore,
      'the unsubscribe command',
    );
    await postBroadcast(gateway.broadcastUrl, { stream: 'chat_ac-left', data: '{"n":1}' });
    await postBroadcast(gateway.broadcastUrl, { stream: 'chat_ac-kept', data: '{"n":2}' });
    await kept.recorder.messages(1);
    expect(left.recorder.received).toEqual([]);
    client.close();
  });

  it('makes a Disconnect call with the identifiers and subscriptions when an RPC-authenticated client leaves', async () => {
    const client = actionCableClient(gateway.url, { cookie: 'username=carol' });
    const { recorder } = client.subscribe({ channel: 'ChatChannel', room: 'ac-bye' });
    await recorder.confirmed();
    client.close();
    const call = await waitFor(
      () => rpc.requests.disconnect.find((candidate) => candidate.request.identifiers === '{"current_user":"carol"}'),
      'the Disconnect call',
    );
    expect(call.request.subscriptions).toEqual([chat('ac-bye')]);
    expect(call.metadata.protov).toBe('v1');
  });
});

describe('@anycable/web through the RPC path', () => {
  it('connects, subscribes, performs and receives broadcasts', async () => {
    const cable = anycableCable(gateway.url, { websocketOptions: { headers: { cookie: 'username=dave' } } });
    const channel = cable.subscribeTo('ChatChannel', { room: 'web1' });
    const received: unknown[] = [];
    channel.on('message', (message: unknown) => received.push(message));
    await channel.ensureSubscribed();
    await channel.perform('speak', { message: 'hi from web' });
    await waitFor(() => received.length === 1, 'the broadcast');
    expect(received).toEqual([{ text: 'hi from web', from: 'dave' }]);
    cable.disconnect();
  });

  it('sees the subscription rejected for a channel the app refuses', async () => {
    const cable = anycableCable(gateway.url, { websocketOptions: { headers: { cookie: 'username=dave' } } });
    const channel = cable.subscribeTo('RejectChannel');
    await expect(channel.ensureSubscribed()).rejects.toBeDefined();
    cable.disconnect();
  });
});

describe('the app state and identifiers reach every command', () => {
  it('sends the connection identifiers, cstate from Connect and istate from subscribe with a perform', async () => {
    const client = await rawClient(gateway.url, { headers: { cookie: 'username=erin' } });
    await client.welcome();
    const identifier = chat('state');
    client.send({ command: 'subscribe', identifier });
    await client.next((frame) => frame.type === 'confirm_subscription');
    client.send({ command: 'message', identifier, data: JSON.stringify({ action: 'whoami' }) });
    const reply = await client.next((frame) => frame.identifier === identifier && frame.message !== undefined);
    expect(reply.message).toEqual({
      identifiers: '{"current_user":"erin"}',
      cstate: { user: 'erin' },
      istate: { room: 'state' },
    });
    client.close();
  });

  it('sends the configured headers, REMOTE_ADDR, the URL and the sid to Connect', async () => {
    const client = await rawClient(`${gateway.url}?token=abc`, {
      headers: { cookie: 'username=fay', 'x-request-id': 'req-fay-1' },
    });
    const welcome = await client.welcome();
    expect(welcome.sid).toBe('req-fay-1');
    const call = rpc.requests.connect.find((candidate) => candidate.metadata.sid === 'req-fay-1')!;
    expect(call.request.env?.url).toBe(`http://127.0.0.1:${gateway.port}/cable?token=abc`);
    expect(call.request.env?.headers).toEqual({ cookie: 'username=fay', REMOTE_ADDR: '127.0.0.1' });
    client.close();
  });

  it('sends every header --headers names, and no other', async () => {
    const withHeaders = await startGateway({ rpc_host: rpc.address, headers: 'cookie,x-api-token,x-tenant' });
    try {
      const client = await rawClient(withHeaders.url, {
        headers: {
          cookie: 'username=gil',
          'x-api-token': 'secret-1',
          'x-tenant': 'acme',
          'x-other': 'left-out',
          'x-request-id': 'req-gil',
        },
      });
      await client.welcome();
      const call = rpc.requests.connect.find((candidate) => candidate.metadata.sid === 'req-gil')!;
      expect(call.request.env?.headers).toEqual({
        cookie: 'username=gil',
        'x-api-token': 'secret-1',
        'x-tenant': 'acme',
        REMOTE_ADDR: '127.0.0.1',
      });
      client.close();
    } finally {
      await withHeaders.stop();
    }
  });
});

describe('streams started and stopped by the app', () => {
  let client: RawClient;
  const identifier = chat('stoppable');

  beforeEach(async () => {
    client = await rawClient(gateway.url, { headers: { cookie: 'username=gus' } });
    await client.welcome();
    client.send({ command: 'subscribe', identifier });
    await client.next((frame) => frame.type === 'confirm_subscription');
  });

  afterEach(() => client.close());

  it('stops the streams of a subscription when the app answers stop_streams', async () => {
    client.send({ command: 'message', identifier, data: JSON.stringify({ action: 'stop' }) });
    client.send({ command: 'ping' });
    await client.next((frame) => frame.type === 'pong');
    await postBroadcast(gateway.broadcastUrl, { stream: 'chat_stoppable', data: '"gone"' });
    client.send({ command: 'ping' });
    await waitFor(() => client.messages().filter((frame) => frame.type === 'pong').length === 2, 'second pong');
    expect(client.messages().filter((frame) => frame.message === 'gone')).toEqual([]);
  });

  it('closes the connection after sending the frames of a result that asks for it', async () => {
    client.send({ command: 'message', identifier, data: JSON.stringify({ action: 'kick' }) });
    await client.closed;
    expect(client.messages()).toContainEqual({ type: 'disconnect', reason: 'kicked', reconnect: false });
  });
});
