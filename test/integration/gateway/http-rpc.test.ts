import { createHmac } from 'node:crypto';
import { issueIdentificationToken } from '../../../shared/src/tokens';
import { actionCableClient, rawClient } from '../../support/clients';
import { postBroadcast, startGateway, type GatewayProcess } from '../../support/gateway';
import { startHttpRpcServer, type TestHttpRpcServer } from '../../support/http-rpc-server';
import { freePort } from '../../support/ports';
import { waitFor } from '../../support/wait';

const RPC_SECRET = 'http-rpc-test-secret';
const JWT_SECRET = 'http-rpc-test-jwt';

describe('RPC over HTTP', () => {
  let rpc: TestHttpRpcServer;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    let broadcastUrl = '';
    rpc = await startHttpRpcServer({
      secret: RPC_SECRET,
      broadcast: async (stream, data) => void (await postBroadcast(broadcastUrl, { stream, data })),
    });
    gateway = await startGateway({ rpc_host: rpc.url, http_rpc_secret: RPC_SECRET });
    broadcastUrl = gateway.broadcastUrl;
  });

  afterAll(async () => {
    await gateway?.stop();
    await rpc?.stop();
  });

  it('connects by cookie, subscribes, performs and receives the broadcast the app makes', async () => {
    const client = actionCableClient(gateway.url, { cookie: 'username=hana' });
    const { subscription, recorder } = client.subscribe({ channel: 'ChatChannel', room: 'http1' });
    await recorder.confirmed();
    subscription.perform('speak', { message: 'over http' });
    expect(await recorder.messages(1)).toEqual([{ text: 'over http', from: 'hana' }]);
    client.close();
    expect(rpc.authorizations.every((authorization) => authorization === `Bearer ${RPC_SECRET}`)).toBe(true);
  });

  it('gets a rejection for a channel the app refuses', async () => {
    const client = actionCableClient(gateway.url, { cookie: 'username=hana' });
    const { recorder } = client.subscribe({ channel: 'RejectChannel' });
    await recorder.rejected();
    client.close();
  });

  it('carries the sid and protocol version as meta headers, and the state back to the app', async () => {
    const client = await rawClient(`${gateway.url}?room=1`, { headers: { cookie: 'username=ivo', 'x-request-id': 'sid-ivo' } });
    expect((await client.welcome()).sid).toBe('sid-ivo');
    const connect = rpc.requests.connect.find((call) => call.metadata.sid === 'sid-ivo')!;
    expect(connect.metadata.protov).toBe('v1');
    expect(connect.request.env.url).toBe(`http://127.0.0.1:${gateway.port}/cable?room=1`);
    expect(connect.request.env.headers).toEqual({ cookie: 'username=ivo', REMOTE_ADDR: '127.0.0.1' });
    const identifier = JSON.stringify({ channel: 'ChatChannel', room: 'state' });
    client.send({ command: 'subscribe', identifier });
    await client.next((frame) => frame.type === 'confirm_subscription');
    client.send({ command: 'message', identifier, data: JSON.stringify({ action: 'whoami' }) });
    const reply = await client.next((frame) => frame.message !== undefined);
    expect(reply.message).toEqual({ identifiers: '{"current_user":"ivo"}', cstate: { user: 'ivo' }, istate: { room: 'state' } });
    client.close();
  });

  it('makes the Disconnect call with the identifiers and subscriptions when the client leaves', async () => {
    const client = actionCableClient(gateway.url, { cookie: 'username=jon' });
    const { recorder } = client.subscribe({ channel: 'ChatChannel', room: 'http-bye' });
    await recorder.confirmed();
    client.close();
    const call = await waitFor(
      () => rpc.requests.disconnect.find((candidate) => candidate.request.identifiers === '{"current_user":"jon"}'),
      'the Disconnect call',
    );
    expect(call.request.subscriptions).toEqual([JSON.stringify({ channel: 'ChatChannel', room: 'http-bye' })]);
    expect(call.request.env.cstate).toEqual({ user: 'jon' });
  });

  it('closes a client the app cannot authenticate with its disconnect frame', async () => {
    const client = await rawClient(gateway.url);
    expect(await client.closed).toBe(1000);
    expect(client.messages()).toEqual([{ type: 'disconnect', reason: 'unauthorized', reconnect: false }]);
  });
});

describe('RPC over HTTP with the token derived from --secret', () => {
  it('sends the hex HMAC-SHA256 of "rpc-cable" under the application secret', async () => {
    const secret = 'application-secret';
    const derived = createHmac('sha256', secret).update('rpc-cable').digest('hex');
    const rpc = await startHttpRpcServer({ secret: derived });
    const gateway = await startGateway({ rpc_host: rpc.url, secret });
    try {
      const client = await rawClient(gateway.url, { headers: { cookie: 'username=kim' } });
      await client.welcome();
      expect(rpc.authorizations).toEqual([`Bearer ${derived}`]);
      client.close();
    } finally {
      await gateway.stop();
      await rpc.stop();
    }
  });
});

describe('RPC over HTTP with the wrong secret', () => {
  let rpc: TestHttpRpcServer;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    rpc = await startHttpRpcServer({ secret: RPC_SECRET });
    gateway = await startGateway({ rpc_host: rpc.url, http_rpc_secret: 'not-the-secret', jwt_secret: JWT_SECRET });
  });

  afterAll(async () => {
    await gateway?.stop();
    await rpc?.stop();
  });

  it('closes the client with 1011 and no frame after one refused request, logs why, and keeps serving', async () => {
    const client = await rawClient(gateway.url, { headers: { cookie: 'username=lou' } });
    expect(await client.closed).toBe(1011);
    expect(client.closeReason).toBe('Auth Error');
    expect(client.frames).toEqual([]);
    expect(rpc.authorizations).toEqual(['Bearer not-the-secret']);
    expect(rpc.calls.connect).toBe(0);
    await gateway.waitForOutput(/http returned 401.*http_rpc_secret/);
    const token = await issueIdentificationToken({ user: 'lou' }, JWT_SECRET);
    const viaJwt = await rawClient(`${gateway.url}?jid=${token}`);
    await viaJwt.welcome();
    expect((await fetch(`${gateway.httpUrl}/health`)).status).toBe(200);
    viaJwt.close();
  });
});

describe('with the HTTP RPC app down', () => {
  let gateway: GatewayProcess;
  let rpc: TestHttpRpcServer;

  beforeAll(async () => {
    rpc = await startHttpRpcServer();
    gateway = await startGateway({ rpc_host: rpc.url, rpc_command_timeout: 800, jwt_secret: JWT_SECRET });
  });

  afterAll(async () => {
    await gateway?.stop();
    await rpc?.stop();
  });

  it('closes only the client that needed the app with 1011; connected and JWT clients go on', async () => {
    const connected = actionCableClient(gateway.url, { cookie: 'username=max' });
    const { recorder } = connected.subscribe({ channel: 'ChatChannel', room: 'outage' });
    await recorder.confirmed();
    await rpc.stop();

    const refused = await rawClient(gateway.url, { headers: { cookie: 'username=ned' } });
    expect(await refused.closed).toBe(1011);
    expect(refused.frames).toEqual([]);
    await gateway.waitForOutput(/connection could not be authenticated/);

    const token = await issueIdentificationToken({ user: 'ola' }, JWT_SECRET);
    const viaJwt = await rawClient(`${gateway.url}?jid=${token}`);
    await viaJwt.welcome();
    expect(await postBroadcast(gateway.broadcastUrl, { stream: 'chat_outage', data: '{"still":"here"}' })).toBe(201);
    expect(await recorder.messages(1)).toEqual([{ still: 'here' }]);
    viaJwt.close();
    connected.close();
  });
});

describe('--rpc_host with an http:// URL nothing answers', () => {
  it('retries the refused connection until the command timeout, then closes with 1011', async () => {
    const gateway = await startGateway({
      rpc_host: `http://127.0.0.1:${await freePort()}/_anycable`,
      rpc_command_timeout: 600,
      metrics_http: '/metrics',
    });
    try {
      const client = await rawClient(gateway.url, { headers: { cookie: 'username=pia' } });
      expect(await client.closed).toBe(1011);
      const metrics = await (await fetch(`${gateway.httpUrl}/metrics`)).text();
      expect(Number(/^cableway_rpc_retries_total (\d+)/m.exec(metrics)?.[1])).toBeGreaterThan(0);
    } finally {
      await gateway.stop();
    }
  });
});
