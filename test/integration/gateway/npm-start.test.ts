import { rawClient } from '../../support/clients';
import { postBroadcast, startNpmScript, type GatewayProcess } from '../../support/gateway';
import { startRpcServer, type TestRpcServer } from '../../support/rpc-server';

/** `npm start` as a Node host runs it, with a production app's variables: nothing is open. */
let rpc: TestRpcServer;
let gateway: GatewayProcess;
const BROADCAST_KEY = 'production-broadcast-key';

beforeAll(async () => {
  rpc = await startRpcServer();
  gateway = await startNpmScript('start', {
    ANYCABLE_SECRET: 'production-secret',
    ANYCABLE_BROADCAST_KEY: BROADCAST_KEY,
    ANYCABLE_RPC_HOST: rpc.address,
  });
});

afterAll(async () => {
  await gateway?.stop();
  await rpc?.stop();
});

describe('npm start with production variables', () => {
  it('refuses a broadcast without the key with 401, and takes it with the key', async () => {
    const publication = { stream: 'gid://app/User/1', data: '{"secret":true}' };
    expect(await postBroadcast(gateway.broadcastUrl, publication)).toBe(401);
    expect(await postBroadcast(gateway.broadcastUrl, publication, BROADCAST_KEY)).toBe(201);
  });

  it('asks the Rails app about a connection without credentials, and closes it when the app refuses', async () => {
    const connectsBefore = rpc.calls.connect;
    const client = await rawClient(gateway.url);
    await client.next((frame) => frame.type === 'disconnect', 'the refusal');
    expect(client.messages()).toEqual([{ type: 'disconnect', reason: 'unauthorized', reconnect: false }]);
    await client.closed;
    expect(rpc.calls.connect).toBe(connectsBefore + 1);
  });

  it('rejects a subscription to an unsigned $pubsub stream name', async () => {
    const client = await rawClient(gateway.url, { headers: { cookie: 'username=alice' } });
    await client.welcome();
    const identifier = JSON.stringify({ channel: '$pubsub', stream_name: 'gid://app/User/1' });
    client.send({ command: 'subscribe', identifier });
    expect(await client.next((frame) => frame.identifier === identifier, 'the answer')).toEqual({
      identifier,
      type: 'reject_subscription',
    });
    client.close();
  });

  it('logs no public-mode warning', () => {
    expect(gateway.output.some((line) => line.includes('Public mode'))).toBe(false);
  });
});
