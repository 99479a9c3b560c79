import { actionCableClient, anycableCable, rawClient, RawClient } from '../../support/clients';
import { postBroadcast, startGateway, startNpmScript, type GatewayProcess } from '../../support/gateway';
import { waitFor } from '../../support/wait';

/** `npm run demo`: a public standalone node, no Redis, no RPC server, HTTP broadcasts (the README example). */
describe('the standalone public node', () => {
  let gateway: GatewayProcess;

  beforeAll(async () => {
    gateway = await startNpmScript('demo');
  });

  afterAll(async () => {
    await gateway?.stop();
  });

  it('says it runs standalone, without Redis', () => {
    expect(gateway.output.some((line) => line.includes('Running standalone'))).toBe(true);
  });

  it('warns in one line what public mode opens', () => {
    const warnings = gateway.output.filter((line) => line.includes('WRN Public mode'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(
      'connections without authentication, unsigned $pubsub stream names, HTTP broadcasts without a key',
    );
  });

  it('delivers an HTTP broadcast to an @rails/actioncable client of a public $pubsub stream', async () => {
    const client = actionCableClient(gateway.url);
    const { recorder } = client.subscribe({ channel: '$pubsub', stream_name: 'demo' });
    await recorder.confirmed();
    expect(await postBroadcast(gateway.broadcastUrl, { stream: 'demo', data: JSON.stringify({ hello: 'world' }) })).toBe(201);
    expect(await recorder.messages(1)).toEqual([{ hello: 'world' }]);
    client.close();
  });

  it('delivers an HTTP broadcast to an @anycable/web client of a public stream', async () => {
    const cable = anycableCable(gateway.url);
    const channel = cable.streamFrom('demo-web');
    const received: unknown[] = [];
    channel.on('message', (message: unknown) => received.push(message));
    await channel.ensureSubscribed();
    await postBroadcast(gateway.broadcastUrl, { stream: 'demo-web', data: '"hi"' });
    expect(await waitFor(() => received.length === 1 && received, 'the broadcast')).toEqual(['hi']);
    cable.disconnect();
  });
});

describe('--public with an explicit broadcast key', () => {
  it('keeps the key, and says so in its public-mode warning', async () => {
    const gateway = await startGateway({ http_broadcast_port: 0 }, { ANYCABLE_PUBLIC: 'true', ANYCABLE_BROADCAST_KEY: 'k3y' });
    const url = `${gateway.httpUrl}/_broadcast`;
    expect(await postBroadcast(url, { stream: 'open', data: '"no key"' })).toBe(401);
    expect(await postBroadcast(url, { stream: 'open', data: '"key"' }, 'k3y')).toBe(201);
    const warning = gateway.output.find((line) => line.includes('WRN Public mode'));
    expect(warning).toContain('kept: the configured broadcast key');
    expect(warning).not.toContain('HTTP broadcasts without a key');
    await gateway.stop();
  });
});

describe('HTTP broadcasts with a key', () => {
  it('take the Bearer key on the main port, and refuse a wrong or missing one with 401', async () => {
    const gateway = await startGateway({ noauth: true, public_streams: true, broadcast_key: 's3cret', http_broadcast_port: 0 });
    const client = actionCableClient(gateway.url);
    const { recorder } = client.subscribe({ channel: '$pubsub', stream_name: 'keyed' });
    await recorder.confirmed();
    const url = `${gateway.httpUrl}/_broadcast`;
    expect(await postBroadcast(url, { stream: 'keyed', data: '"no key"' })).toBe(401);
    expect(await postBroadcast(url, { stream: 'keyed', data: '"wrong key"' }, 'guess')).toBe(401);
    expect(await postBroadcast(url, { stream: 'keyed', data: '"right key"' }, 's3cret')).toBe(201);
    expect(await recorder.messages(1)).toEqual(['right key']);
    client.close();
    await gateway.stop();
  });
});

describe('connection limits', () => {
  it('refuses an Origin outside allowed_origins with 403', async () => {
    const gateway = await startGateway({ public: true, allowed_origins: 'app.example.com' });
    await expect(rawClient(gateway.url, { headers: { origin: 'https://evil.example.net' } })).rejects.toThrow('HTTP 403');
    const allowed = await rawClient(gateway.url, { headers: { origin: 'https://app.example.com' } });
    await allowed.welcome();
    allowed.close();
    await gateway.stop();
  });

  it('answers 503 to upgrades beyond max_conn', async () => {
    const gateway = await startGateway({ public: true, max_conn: 1 });
    const first = await rawClient(gateway.url);
    await first.welcome();
    await expect(rawClient(gateway.url)).rejects.toThrow('HTTP 503');
    first.close();
    await first.closed;
    const next = new RawClient(gateway.url);
    await next.welcome();
    next.close();
    await gateway.stop();
  });
});
