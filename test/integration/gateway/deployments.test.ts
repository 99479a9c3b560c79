import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { signStreamName } from '../../../shared/src/message-verifier';
import { issueIdentificationToken } from '../../../shared/src/tokens';
import { rawClient, type RawClient } from '../../support/clients';
import { launchGateway, postBroadcast, runCli, startGateway, type GatewayProcess } from '../../support/gateway';
import { freePort } from '../../support/ports';
import { redisCli, startRedisServer, type RedisServer } from '../../support/redis-server';
import { startRpcServer } from '../../support/rpc-server';
import { waitFor } from '../../support/wait';

/** anycable.toml, presets and anycable-go's small flags, on real node processes. */
const SECRET = 'file-secret';
const BROADCAST_KEY = 'file-broadcast-key';

function directoryWith(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'cableway-config-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

const pubsubIdentifier = (stream: string) =>
  JSON.stringify({ channel: '$pubsub', signed_stream_name: signStreamName(stream, SECRET) });

async function subscribed(url: string, stream: string): Promise<RawClient> {
  const client = await rawClient(url);
  await client.welcome();
  client.send({ command: 'subscribe', identifier: pubsubIdentifier(stream) });
  await client.next((frame) => frame.type === 'confirm_subscription', 'confirm_subscription');
  return client;
}

describe('a node configured only by anycable.toml', () => {
  let redis: RedisServer;
  let dir: string;
  let port: number;
  let broadcastPort: number;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    redis = await startRedisServer();
    port = await freePort();
    broadcastPort = await freePort();
    dir = directoryWith({
      'anycable.toml': `
secret = "${SECRET}"
broadcast_key = "${BROADCAST_KEY}"

[server]
host = "127.0.0.1"
port = ${port}
hots = "a typo"

[http_broadcast]
port = ${broadcastPort}

[redis]
url = "${redis.url}"

[jwt]
param = "token"

[rpc]
implementation = "none"

[ws]
read_buffer_size = 4096
`,
    });
    gateway = await launchGateway([], {}, { cwd: dir, port, broadcastPort });
  });

  afterAll(async () => {
    await gateway?.stop();
    await redis?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('says which file it uses, and names the unknown and the ignored keys in WRN lines', async () => {
    await gateway.waitForOutput(/INF Using configuration from file: \.\/anycable\.toml/);
    await gateway.waitForOutput(/WRN \.\/anycable\.toml: unknown key server\.hots/);
    await gateway.waitForOutput(/WRN \.\/anycable\.toml: ws\.read_buffer_size is not supported by Cableway \(ignored\)/);
  });

  it('accepts a JWT signed with the file’s secret in the file’s param, and no other', async () => {
    const token = await issueIdentificationToken({ user_id: 7 }, SECRET);
    const client = await rawClient(`${gateway.url}?token=${token}`);
    expect((await client.welcome()).type).toBe('welcome');
    client.close();

    const forged = await rawClient(`${gateway.url}?token=${await issueIdentificationToken({ user_id: 7 }, 'other')}`);
    expect(await forged.closed).toBe(1000);
    expect(forged.messages()).toEqual([{ type: 'disconnect', reason: 'unauthorized', reconnect: false }]);
  });

  it('takes HTTP broadcasts with the file’s key, and Redis broadcasts from the file’s Redis', async () => {
    const token = await issueIdentificationToken({ user_id: 8 }, SECRET);
    const client = await subscribed(`${gateway.url}?token=${token}`, 'file/room');
    expect(await postBroadcast(gateway.broadcastUrl, { stream: 'file/room', data: '"http"' }, 'wrong')).toBe(401);
    expect(await postBroadcast(gateway.broadcastUrl, { stream: 'file/room', data: '"http"' }, BROADCAST_KEY)).toBe(201);
    await client.next((frame) => frame.message === 'http', 'the HTTP broadcast');
    await redisCli(redis.port, 'PUBLISH', '__anycable__', JSON.stringify({ stream: 'file/room', data: '"redis"' }));
    await client.next((frame) => frame.message === 'redis', 'the Redis broadcast');
    client.close();
  });

  it('lets an environment variable override the file', async () => {
    const otherPort = await freePort();
    const otherBroadcastPort = await freePort();
    const env = {
      ANYCABLE_PORT: String(otherPort),
      ANYCABLE_HTTP_BROADCAST_PORT: String(otherBroadcastPort),
      ANYCABLE_BROADCAST_KEY: 'env-key',
    };
    const other = await launchGateway([], env, { cwd: dir, port: otherPort, broadcastPort: otherBroadcastPort });
    try {
      const publication = { stream: 'file/room', data: '"x"' };
      expect(await postBroadcast(other.broadcastUrl, publication, BROADCAST_KEY)).toBe(401);
      expect(await postBroadcast(other.broadcastUrl, publication, 'env-key')).toBe(201);
    } finally {
      await other.stop();
    }
  });

  it('prints the merged configuration with --print-config, secrets masked', async () => {
    const { code, stdout } = await runCli(['--print-config'], { ANYCABLE_JWT_SECRET: 'env-jwt-secret' }, { cwd: dir });
    expect(code).toBe(0);
    expect(stdout).not.toMatch(new RegExp(`${SECRET}|${BROADCAST_KEY}|env-jwt-secret`));
    expect(stdout).toMatch(/^secret = "\*\*\*"$/m);
    expect(stdout).toMatch(/^broadcast_key = "\*\*\*"$/m);
    expect(stdout).toMatch(/\[jwt\]\n(?:#.*\n)*secret = "\*\*\*"\n(?:#.*\n)*param = "token"/);
    expect(stdout).toMatch(new RegExp(`\\[server\\]\\n(?:#.*\\n)*host = "127.0.0.1"\\n(?:#.*\\n)*port = ${port}\\n`));
  });
});

describe('configuration files, from the command line', () => {
  let dir: string;

  beforeAll(() => {
    dir = directoryWith({
      'anycable.toml': 'node_id = "from-cwd"\n',
      'config/other.toml': 'node_id = "from-path"\n',
      'bad/anycable.toml': '[server]\nport = "eighty"\n',
      'pusher/anycable.toml': '[pusher]\napp_id = "app"\n',
    });
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const nodeIdOf = async (args: string[], env: NodeJS.ProcessEnv = {}, cwd = dir) => {
    const { stdout } = await runCli([...args, '--print-config'], env, { cwd });
    return /^node_id = "(.*)"$/m.exec(stdout)?.[1] ?? 'unset';
  };

  it('are found at --config-path, ANYCABLE_CONFIG_PATH, else ./anycable.toml, and skipped with --ignore-config-path', async () => {
    expect(await nodeIdOf(['--config-path=config/other.toml'])).toBe('from-path');
    expect(await nodeIdOf([], { ANYCABLE_CONFIG_PATH: 'config/other.toml' })).toBe('from-path');
    expect(await nodeIdOf([])).toBe('from-cwd');
    expect(await nodeIdOf(['--ignore-config-path'])).toBe('unset');
    expect(await nodeIdOf([], {}, path.join(dir, 'config'))).toBe('unset');
  });

  it('exit 2 on a bad value or a not-supported feature, saying which', async () => {
    const bad = await runCli(['--norpc'], {}, { cwd: path.join(dir, 'bad') });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('./anycable.toml: server.port: expected an integer, got "eighty"');
    const pusher = await runCli(['--norpc'], {}, { cwd: path.join(dir, 'pusher') });
    expect(pusher.code).toBe(2);
    expect(pusher.stderr).toContain('./anycable.toml: pusher.app_id is not supported by Cableway: ');
  });
});

describe('anycable-go flags Cableway does not have', () => {
  it('are answered "not supported by Cableway" with what to use instead, as a flag and as a variable', async () => {
    const flag = await runCli(['--norpc', '--embed_nats']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('--embed_nats is not supported by Cableway: run nats-server');
    const env = await runCli(['--norpc'], { ANYCABLE_STATSD_HOST: 'statsd:8125' });
    expect(env.code).toBe(2);
    expect(env.stderr).toContain('ANYCABLE_STATSD_HOST is not supported by Cableway: scrape the Prometheus endpoint');
  });
});

describe('presets', () => {
  const withPreset = async (env: NodeJS.ProcessEnv, port: number) => {
    // Without a broadcast key, HTTP broadcasts would go to 8090 but for the preset.
    const gateway = await launchGateway(['--norpc', '--public'], env, { port, broadcastPort: port });
    try {
      await gateway.waitForOutput(/INF Loaded presets: /);
      await gateway.waitForOutput(new RegExp(`Handle WebSocket connections at ws://0\\.0\\.0\\.0:${port}/cable`));
      await gateway.waitForOutput(new RegExp(`Accept broadcast requests at http://0\\.0\\.0\\.0:${port}/_broadcast`));
      expect(await postBroadcast(`http://127.0.0.1:${port}/_broadcast`, { stream: 's', data: '1' })).toBe(201);
      return gateway.output;
    } finally {
      await gateway.stop();
    }
  };

  it('fly: detected from FLY_APP_NAME, FLY_REGION and FLY_ALLOC_ID; 0.0.0.0, broadcasts on the main port', async () => {
    const port = await freePort();
    const output = await withPreset({ FLY_APP_NAME: 'chat', FLY_REGION: 'ams', FLY_ALLOC_ID: 'a1b2', PORT: String(port) }, port);
    expect(output.some((line) => /Loaded presets: fly\b/.test(line))).toBe(true);
  });

  it('heroku: detected from HEROKU_APP_ID and HEROKU_DYNO_ID; 0.0.0.0, broadcasts on $PORT', async () => {
    const port = await freePort();
    const output = await withPreset({ HEROKU_APP_ID: 'app', HEROKU_DYNO_ID: 'dyno', PORT: String(port) }, port);
    expect(output.some((line) => /Loaded presets: heroku\b/.test(line))).toBe(true);
  });

  it('none: nothing is detected', async () => {
    const { stdout } = await runCli(['--presets=none', '--print-config'], {
      HEROKU_APP_ID: 'app',
      HEROKU_DYNO_ID: 'dyno',
      PORT: '5000',
    });
    expect(stdout).toMatch(/\[server\]\n(?:#.*\n)*# host = "localhost"\n(?:#.*\n)*port = 5000\n/);
    expect(stdout).toMatch(/\[http_broadcast\]\n(?:#.*\n)*# port = 0\n/);
  });
});

describe('small flags', () => {
  it('--metrics_tags puts constant labels on every metric', async () => {
    const gateway = await startGateway({
      norpc: true,
      public: true,
      metrics_http: '/metrics',
      metrics_tags: 'region:eu,app:chat',
    });
    try {
      const text = await (await fetch(`${gateway.httpUrl}/metrics`)).text();
      const samples = text.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
      expect(samples.length).toBeGreaterThan(10);
      expect(samples.filter((line) => !/\{.*app="chat".*\}|\{.*region="eu".*\}/.test(line))).toEqual([]);
      expect(text).toMatch(/^cableway_clients_num\{region="eu",app="chat"\} 0$/m);
    } finally {
      await gateway.stop();
    }
  });

  it('--proxy-cookies passes only the named cookies to Connect', async () => {
    const rpc = await startRpcServer();
    const gateway = await startGateway({ rpc_host: rpc.address, 'proxy-cookies': 'username' });
    try {
      const client = await rawClient(gateway.url, { headers: { Cookie: 'theme=dark; username=alice; other=1' } });
      expect((await client.welcome()).type).toBe('welcome');
      expect(rpc.requests.connect.at(-1)!.request.env!.headers.cookie).toBe('username=alice;');
      client.close();
    } finally {
      await gateway.stop();
      await rpc.stop();
    }
  });

  it('--enable_native_pings sends WebSocket pings; with --pong_timeout a client that never answers gets no_pong', async () => {
    const gateway = await startGateway({
      norpc: true,
      public: true,
      ping_interval: 1,
      enable_native_pings: true,
      pong_timeout: 2,
    });
    try {
      await gateway.waitForOutput(/Native WebSocket pings are sent with every ping \(pong timeout: 2s\)/);
      const answering = await rawClient(gateway.url);
      let pings = 0;
      answering.ws.on('ping', () => (pings += 1));
      const silent = new WebSocket(gateway.url, ['actioncable-v1-json'], { autoPong: false });
      const frames: string[] = [];
      silent.on('message', (data) => frames.push(data.toString()));
      const closed = new Promise<[number, string]>((resolve) =>
        silent.once('close', (code, reason) => resolve([code, reason.toString()])),
      );
      expect(await closed).toEqual([1000, 'No Pong']);
      expect(JSON.parse(frames.at(-1)!)).toEqual({ type: 'disconnect', reason: 'no_pong', reconnect: true });
      // The answering client outlives the silent one by more than the pong timeout.
      const pingsAtClose = pings;
      await waitFor(() => pings >= pingsAtClose + 3, 'three more native pings');
      expect(answering.closeCode).toBeNull();
      answering.close();
    } finally {
      await gateway.stop();
    }
  });

  it('--turbo_rails_cleartext and --cable_ready_cleartext start the node with a deprecation line', async () => {
    const gateway = await startGateway({ norpc: true, turbo_rails_cleartext: true, cable_ready_cleartext: true });
    try {
      await gateway.waitForOutput(/WRN --turbo_rails_cleartext is deprecated: use public_streams \(this flag has no effect\)/);
      await gateway.waitForOutput(/WRN --cable_ready_cleartext is deprecated/);
    } finally {
      await gateway.stop();
    }
  });
});
