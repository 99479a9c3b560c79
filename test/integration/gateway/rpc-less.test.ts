import vectors from '../../fixtures/rails-vectors.json';
import { issueIdentificationToken } from '../../../shared/src/tokens';
import { signStreamName } from '../../../shared/src/message-verifier';
import { actionCableClient, anycableCable, rawClient, type RawClient } from '../../support/clients';
import { metricValue, postBroadcast, startGateway, type GatewayProcess } from '../../support/gateway';
import { freePort } from '../../support/ports';
import { startRpcServer, type TestRpcServer } from '../../support/rpc-server';
import { waitFor } from '../../support/wait';

/** JWT identification and signed streams decided at the edge (SPEC §1, facts §3–§4), with real Ruby vectors. */
const JWT_KEY = 'some-sercret-key';
const STREAMS_KEY = 's3cЯeT';

const channelOf = { turbo: 'Turbo::StreamsChannel', cable_ready: 'CableReady::Stream', pubsub: '$pubsub' } as const;
const paramOf = { turbo: 'signed_stream_name', cable_ready: 'identifier', pubsub: 'signed_stream_name' } as const;

function identifierFor(kind: keyof typeof channelOf, signed: string): string {
  return JSON.stringify({ channel: channelOf[kind], [paramOf[kind]]: signed });
}

const edgeFlags = {
  jwt_secret: JWT_KEY,
  streams_secret: STREAMS_KEY,
  turbo_streams: true,
  cable_ready: true,
  metrics_http: '/metrics',
};

describe('with the Rails app reachable over RPC', () => {
  let rpc: TestRpcServer;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    rpc = await startRpcServer();
    gateway = await startGateway({ ...edgeFlags, rpc_host: rpc.address });
  });

  afterAll(async () => {
    await gateway?.stop();
    await rpc?.stop();
  });

  describe.each(vectors.jwt.map((vector) => [vector.name, vector] as const))('the JWT vector "%s"', (_name, vector) => {
    it(`ends as ${vector.expect} on a real connection, without a Connect call`, async () => {
      const connectsBefore = rpc.calls.connect;
      const client = await rawClient(`${gateway.url}?jid=${encodeURIComponent(vector.token)}`);
      if (vector.expect === 'ok') {
        expect((await client.welcome()).type).toBe('welcome');
        client.send({ command: 'subscribe', identifier: JSON.stringify({ channel: 'ChatChannel', room: 'ids' }) });
        await client.next((frame) => frame.type === 'confirm_subscription');
        const command = rpc.requests.command[rpc.requests.command.length - 1]!;
        expect(command.request.connection_identifiers).toBe(vector.identifiers);
        client.close();
      } else if (vector.expect === 'error') {
        expect(await client.closed).toBe(1011);
        expect(client.frames).toEqual([]);
      } else {
        expect(await client.closed).toBe(1000);
        expect(client.messages()).toEqual([{ type: 'disconnect', reason: vector.expect, reconnect: false }]);
      }
      expect(rpc.calls.connect).toBe(connectsBefore);
    });
  });

  describe.each(vectors.signed_streams.map((vector) => [vector.name, vector] as const))(
    'the signed stream vector "%s"',
    (_name, vector) => {
      it(`is ${vector.expect === 'ok' ? 'confirmed and receives its stream' : 'rejected'} without a Command call`, async () => {
        const token = await issueIdentificationToken({ user: 'vectors' }, JWT_KEY);
        const client = await rawClient(`${gateway.url}?jid=${token}`);
        await client.welcome();
        const commandsBefore = rpc.calls.command;
        const identifier = identifierFor(vector.kind as keyof typeof channelOf, vector.signed);
        client.send({ command: 'subscribe', identifier });
        const reply = await client.next((frame) => frame.identifier === identifier);
        if (vector.expect === 'ok') {
          expect(reply.type).toBe('confirm_subscription');
          await postBroadcast(gateway.broadcastUrl, { stream: vector.stream!, data: JSON.stringify(vector.name) });
          await client.next((frame) => frame.identifier === identifier && frame.message === vector.name, 'the broadcast');
        } else {
          expect(reply.type).toBe('reject_subscription');
        }
        expect(rpc.calls.command).toBe(commandsBefore);
        client.close();
      });
    },
  );

  it('serves a JWT + Turbo session with zero Connect, Command and Disconnect calls', async () => {
    const before = { ...rpc.calls };
    const token = await issueIdentificationToken({ current_user: 'hotwire' }, JWT_KEY);
    const client = actionCableClient(`${gateway.url}?jid=${token}`);
    const turbo = client.subscribe({
      channel: 'Turbo::StreamsChannel',
      signed_stream_name: signStreamName('room:1', STREAMS_KEY),
    });
    const ready = client.subscribe({ channel: 'CableReady::Stream', identifier: signStreamName('room:1', STREAMS_KEY) });
    const pubsub = client.subscribe({ channel: '$pubsub', signed_stream_name: signStreamName('room:1', STREAMS_KEY) });
    for (const { recorder } of [turbo, ready, pubsub]) await recorder.confirmed();
    await postBroadcast(gateway.broadcastUrl, {
      stream: 'room:1',
      data: JSON.stringify('<turbo-stream action="append"></turbo-stream>'),
    });
    for (const { recorder } of [turbo, ready, pubsub]) {
      expect(await recorder.messages(1)).toEqual(['<turbo-stream action="append"></turbo-stream>']);
    }
    turbo.subscription.unsubscribe();
    client.close();
    await waitFor(async () => (await metricValue(gateway.httpUrl, 'cableway_clients_num')) === 0, 'the session to end');
    expect(rpc.calls).toEqual(before);
  });

  it('echoes a Turbo identifier with data attributes byte for byte', async () => {
    const token = await issueIdentificationToken({ current_user: 'attrs' }, JWT_KEY);
    const client = await rawClient(`${gateway.url}?jid=${token}`);
    await client.welcome();
    const identifier = `{"channel":"Turbo::StreamsChannel","signed_stream_name":${JSON.stringify(signStreamName('x', STREAMS_KEY))},"data_id":"msg-1"}`;
    client.send({ command: 'subscribe', identifier });
    expect(await client.next((frame) => frame.type === 'confirm_subscription')).toEqual({
      type: 'confirm_subscription',
      identifier,
    });
    client.close();
  });

  it('takes the token from the x-jid header and from the anycable-token sub-protocol too', async () => {
    const token = await issueIdentificationToken({ current_user: 'header' }, JWT_KEY);
    const byHeader = await rawClient(gateway.url, { headers: { 'x-jid': token } });
    await byHeader.welcome();
    const byProtocol = await rawClient(gateway.url, { protocols: ['actioncable-v1-json', `anycable-token.${token}`] });
    await byProtocol.welcome();
    expect(byProtocol.ws.protocol).toBe('actioncable-v1-json');
    byHeader.close();
    byProtocol.close();
  });

  it('falls back to RPC Connect when no token is given and JWT is not enforced', async () => {
    const connectsBefore = rpc.calls.connect;
    const client = await rawClient(gateway.url, { headers: { cookie: 'username=fallback' } });
    await client.welcome();
    expect(rpc.calls.connect).toBe(connectsBefore + 1);
    client.close();
  });

  it('sends the token header along in the env of later RPC calls', async () => {
    const token = await issueIdentificationToken({ current_user: 'env' }, JWT_KEY);
    const client = await rawClient(gateway.url, { headers: { 'x-jid': token } });
    await client.welcome();
    client.send({ command: 'subscribe', identifier: JSON.stringify({ channel: 'ChatChannel', room: 'env' }) });
    await client.next((frame) => frame.type === 'confirm_subscription');
    expect(rpc.requests.command[rpc.requests.command.length - 1]!.request.env?.headers?.['x-jid']).toBe(token);
    client.close();
  });
});

describe('metrics of avoided RPC calls', () => {
  it('move by exactly the calls a scripted session avoided and made', async () => {
    const rpc = await startRpcServer();
    const gateway = await startGateway({ ...edgeFlags, rpc_host: rpc.address });
    const metric = (name: string, labels = '') => metricValue(gateway.httpUrl, `cableway_${name}`, labels);
    try {
      const token = await issueIdentificationToken({ current_user: 'counted' }, JWT_KEY);
      // Two JWT sessions: each with one Turbo subscription, one of them unsubscribed again.
      const jwtClients: RawClient[] = [];
      for (let i = 0; i < 2; i += 1) {
        const client = await rawClient(`${gateway.url}?jid=${token}`);
        await client.welcome();
        const identifier = identifierFor('turbo', signStreamName(`counted-${i}`, STREAMS_KEY));
        client.send({ command: 'subscribe', identifier });
        await client.next((frame) => frame.type === 'confirm_subscription');
        jwtClients.push(client);
      }
      jwtClients[0]!.send({
        command: 'unsubscribe',
        identifier: identifierFor('turbo', signStreamName('counted-0', STREAMS_KEY)),
      });
      // One RPC session with one RPC channel, and one expired token.
      const rpcClient = await rawClient(gateway.url, { headers: { cookie: 'username=counted' } });
      await rpcClient.welcome();
      rpcClient.send({ command: 'subscribe', identifier: JSON.stringify({ channel: 'ChatChannel', room: 'counted' }) });
      await rpcClient.next((frame) => frame.type === 'confirm_subscription');
      const expired = await rawClient(
        `${gateway.url}?jid=${vectors.jwt.find((vector) => vector.expect === 'token_expired')!.token}`,
      );
      await expired.closed;
      for (const client of [...jwtClients, rpcClient]) client.close();
      await waitFor(async () => (await metric('clients_num')) === 0, 'every session to end');
      await waitFor(async () => (await metric('rpc_call_total', '{method="disconnect"}')) === 1, 'the one Disconnect call');

      expect(await metric('rpc_avoided_total', '{op="connect"}')).toBe(3);
      expect(await metric('rpc_avoided_total', '{op="subscribe"}')).toBe(2);
      expect(await metric('rpc_avoided_total', '{op="unsubscribe"}')).toBe(1);
      expect(await metric('rpc_avoided_total', '{op="disconnect"}')).toBe(2);
      expect(await metric('rpc_call_total', '{method="connect"}')).toBe(1);
      expect(await metric('rpc_call_total', '{method="command"}')).toBe(1);
      expect(await metric('failed_auths_total')).toBe(1);
      expect(await metric('connect_duration_seconds_count', '{path="jwt"}')).toBe(2);
      expect(await metric('connect_duration_seconds_count', '{path="rpc"}')).toBe(1);
      expect(rpc.calls).toEqual({ connect: 1, command: 1, disconnect: 1 });
    } finally {
      await gateway.stop();
      await rpc.stop();
    }
  });
});

describe('with no RPC server at all', () => {
  let gateway: GatewayProcess;

  beforeAll(async () => {
    gateway = await startGateway({ ...edgeFlags, rpc_host: `127.0.0.1:${await freePort()}`, rpc_command_timeout: 300 });
  });

  afterAll(async () => {
    await gateway?.stop();
  });

  it('connects with a JWT, subscribes to Turbo Streams and receives broadcasts', async () => {
    const token = await issueIdentificationToken({ current_user: 'offline' }, JWT_KEY);
    const client = actionCableClient(`${gateway.url}?jid=${token}`);
    const { recorder } = client.subscribe({
      channel: 'Turbo::StreamsChannel',
      signed_stream_name: signStreamName('offline', STREAMS_KEY),
    });
    await recorder.confirmed();
    await postBroadcast(gateway.broadcastUrl, { stream: 'offline', data: '"delivered"' });
    expect(await recorder.messages(1)).toEqual(['delivered']);
    client.close();
  });

  it('fails a regular channel subscription for that client only, with a log line', async () => {
    const token = await issueIdentificationToken({ current_user: 'mixed' }, JWT_KEY);
    const client = await rawClient(`${gateway.url}?jid=${token}`);
    await client.welcome();
    client.send({ command: 'subscribe', identifier: JSON.stringify({ channel: 'ChatChannel', room: 'x' }) });
    await gateway.waitForOutput(/failed to handle command/);
    const turbo = identifierFor('turbo', signStreamName('still-works', STREAMS_KEY));
    client.send({ command: 'subscribe', identifier: turbo });
    await client.next((frame) => frame.identifier === turbo && frame.type === 'confirm_subscription');
    expect(client.messages().filter((frame) => frame.type === 'confirm_subscription')).toHaveLength(1);
    client.close();
  });

  it('rejects regular channels outright with --norpc', async () => {
    const norpc = await startGateway({ ...edgeFlags, norpc: true });
    const token = await issueIdentificationToken({ current_user: 'norpc' }, JWT_KEY);
    const client = await rawClient(`${norpc.url}?jid=${token}`);
    await client.welcome();
    const identifier = JSON.stringify({ channel: 'ChatChannel', room: 'x' });
    client.send({ command: 'subscribe', identifier });
    expect(await client.next((frame) => frame.identifier === identifier)).toEqual({ type: 'reject_subscription', identifier });
    const anonymous = await rawClient(norpc.url);
    expect(await anonymous.closed).toBe(1000);
    expect(anonymous.messages()).toEqual([{ type: 'disconnect', reason: 'unauthorized', reconnect: false }]);
    client.close();
    await norpc.stop();
  });

  it('refuses connections without a token when JWT is enforced', async () => {
    const enforced = await startGateway({ ...edgeFlags, enforce_jwt: true, norpc: true });
    const client = await rawClient(enforced.url);
    expect(await client.closed).toBe(1000);
    expect(client.messages()).toEqual([{ type: 'disconnect', reason: 'unauthorized', reconnect: false }]);
    await enforced.stop();
  });
});

describe('@anycable/web with a token refresher', () => {
  it('refreshes an expired token and reconnects', async () => {
    const gateway = await startGateway({ ...edgeFlags, norpc: true });
    try {
      const expired = vectors.jwt.find((vector) => vector.expect === 'token_expired')!.token;
      const fresh = await issueIdentificationToken({ user_id: 42 }, JWT_KEY);
      let refreshes = 0;
      const cable = anycableCable(`${gateway.url}?jid=${expired}`, {
        tokenRefresher: async (transport: { setToken(token: string, param: string): void }) => {
          refreshes += 1;
          transport.setToken(fresh, 'jid');
        },
      });
      const channel = cable.streamFromSigned(signStreamName('refreshed', STREAMS_KEY));
      await channel.ensureSubscribed();
      expect(refreshes).toBe(1);
      expect(cable.state).toBe('connected');
      cable.disconnect();
    } finally {
      await gateway.stop();
    }
  });
});
