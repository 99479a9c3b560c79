import { createServer, type Server } from 'node:http';
import { runBroadcastCli } from '../../../broadcaster/src/cli/run';
import { resolveNatsConfig } from '../../../broadcaster/src/nats/options';
import { deriveKey } from '../../../broadcaster/src/options';
import { createPublisher, type Publisher, type PublisherOptions } from '../../../broadcaster/src/publisher/publisher';
import { ErrorCode } from '../../../shared/src/errors';
import { startNatsServer, type NatsServer } from '../../support/nats-server';
import { freePort } from '../../support/ports';
import { startRedisServer, type RedisServer } from '../../support/redis-server';
import { waitFor } from '../../support/wait';
import { busConfig, redisConfig, startNode, type TestNode } from './harness';

const KEY = deriveKey('app-secret', 'broadcast-cable');
let server: RedisServer;
let nats: NatsServer;
let node: TestNode;
let http: Server;
let broadcastUrl: string;

/** Mounts the node's broadcast endpoint on a plain HTTP server, as the gateway does. */
function serve(target: TestNode): Promise<Server> {
  const endpoint = target.bus.httpEndpoint!;
  const httpServer = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const authorization = request.headers.authorization ?? '';
      response.statusCode = request.url === endpoint.path ? endpoint.handle(authorization, Buffer.concat(chunks)) : 404;
      response.end();
    });
  });
  return new Promise((resolve) => httpServer.listen(0, '127.0.0.1', () => resolve(httpServer)));
}

const natsConfig = (url: string) => resolveNatsConfig({ nats_servers: url, nats_dont_randomize_servers: false });

beforeAll(async () => {
  [server, nats] = await Promise.all([startRedisServer(), startNatsServer()]);
  node = await startNode(
    busConfig({
      adapters: ['http', 'redis', 'redisx', 'actioncable', 'nats'],
      http: { port: 0, path: '/_broadcast', key: KEY },
      actioncablePrefix: 'app',
      redis: redisConfig(server.url),
      nats: natsConfig(nats.url),
    }),
  );
  http = await serve(node);
  const address = http.address();
  broadcastUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/_broadcast`;
});

afterAll(async () => {
  await new Promise((resolve) => http.close(resolve));
  await node.bus.shutdown();
  await Promise.all([server.stop(), nats.stop()]);
});

let streamNumber = 0;
let stream: string;

beforeEach(async () => {
  streamNumber += 1;
  stream = `news-${streamNumber}`;
  await node.bus.subscribe(stream);
});

afterEach(() => {
  node.bus.unsubscribe(stream);
  node.recorder.messages.length = 0;
  node.recorder.commands.length = 0;
});

const transports = {
  redis: (): PublisherOptions => ({ transport: 'redis', redis: redisConfig(server.url) }),
  redisx: (): PublisherOptions => ({ transport: 'redisx', redis: redisConfig(server.url) }),
  http: (): PublisherOptions => ({ transport: 'http', url: broadcastUrl, key: KEY }),
  nats: (): PublisherOptions => ({ transport: 'nats', nats: natsConfig(nats.url) }),
};

const cliFlags: Readonly<Record<keyof typeof transports, () => string[]>> = {
  redis: () => [`--redis_url=${server.url}`],
  redisx: () => [`--redis_url=${server.url}`],
  http: () => [`--url=${broadcastUrl}`, '--secret=app-secret'],
  nats: () => [`--nats_servers=${nats.url}`],
};

async function using<T>(options: PublisherOptions, act: (publisher: Publisher) => Promise<T>): Promise<T> {
  const publisher = createPublisher(options);
  try {
    return await act(publisher);
  } finally {
    await publisher.close();
  }
}

describe.each(Object.keys(transports) as (keyof typeof transports)[])('the publisher over %s', (transport) => {
  test('sends a broadcast, meta included, that the adapter delivers', async () => {
    await using(transports[transport](), (publisher) => publisher.broadcast(stream, '{"n":1}', { exclude_socket: 'sid-1' }));

    await waitFor(() => node.recorder.messages.length === 1, 'the delivery');
    expect(node.recorder.messages[0]).toEqual({ stream, data: '{"n":1}', meta: { exclude_socket: 'sid-1' } });
  });

  test('sends a disconnect command that the adapter executes', async () => {
    await using(transports[transport](), (publisher) => publisher.disconnect('{"user_id":7}', true));

    await waitFor(() => node.recorder.commands.length === 1, 'the command');
    expect(node.recorder.commands[0]).toEqual({
      command: 'disconnect',
      payload: { identifier: '{"user_id":7}', reconnect: true },
    });
  });

  test('is what the cableway-broadcast command sends too', async () => {
    const flags = cliFlags[transport]();
    const lines: string[] = [];
    const code = await runBroadcastCli(
      [`--stream=${stream}`, '--data={"n":2}', `--transport=${transport}`, ...flags],
      {},
      {
        stdout: (line) => lines.push(line),
        stderr: (line) => lines.push(line),
      },
    );

    expect([code, lines]).toEqual([0, [`cableway-broadcast: broadcast to ${stream} via ${transport}`]]);
    await waitFor(() => node.recorder.messages.length === 1, 'the delivery');
    expect(node.recorder.messages[0]).toEqual({ stream, data: '{"n":2}' });
  });
});

describe('the publisher over actioncable', () => {
  test("publishes the bare message on Rails' prefixed channel, which the actioncable adapter delivers", async () => {
    await using({ transport: 'actioncable', redis: redisConfig(server.url), prefix: 'app' }, (publisher) =>
      publisher.broadcast(stream, '"<turbo-stream></turbo-stream>"'),
    );

    await waitFor(() => node.recorder.messages.length === 1, 'the delivery');
    expect(node.recorder.messages[0]).toEqual({ stream, data: '"<turbo-stream></turbo-stream>"' });
  });

  test('refuses a remote command with a configuration error', async () => {
    const refused = using({ transport: 'actioncable', redis: redisConfig(server.url) }, (publisher) =>
      publisher.disconnect('u', false),
    );
    await expect(refused).rejects.toMatchObject({ code: ErrorCode.ConfigBadValue });
  });

  test('is what the cableway-broadcast command sends too', async () => {
    const code = await runBroadcastCli(
      [`--stream=${stream}`, '--data="hi"', '--transport=actioncable', '--actioncable_channel_prefix=app'],
      { REDIS_URL: server.url },
      { stdout: () => undefined, stderr: () => undefined },
    );

    expect(code).toBe(0);
    await waitFor(() => node.recorder.messages.length === 1, 'the delivery');
    expect(node.recorder.messages[0]).toEqual({ stream, data: '"hi"' });
  });
});

describe('failures', () => {
  test('an HTTP broadcast with the wrong key rejects with CW_ERR_BROADCAST_FAILED and the CLI exits 1', async () => {
    const refused = using({ transport: 'http', url: broadcastUrl, key: 'wrong' }, (publisher) =>
      publisher.broadcast(stream, '1'),
    );
    await expect(refused).rejects.toMatchObject({ code: ErrorCode.BroadcastFailed });

    const errors: string[] = [];
    const code = await runBroadcastCli(
      [`--stream=${stream}`, '--data=1', `--url=${broadcastUrl}`, '--broadcast_key=wrong'],
      {},
      {
        stdout: () => undefined,
        stderr: (line) => errors.push(line),
      },
    );
    expect(code).toBe(1);
    expect(errors.join('\n')).toContain('answered 401');
    expect(node.recorder.messages).toEqual([]);
  });

  test('a publication NATS cannot take rejects with CW_ERR_NATS_FAILED and the CLI exits 1', async () => {
    const nowhere = `nats://127.0.0.1:${await freePort()}`;
    const refused = using({ transport: 'nats', nats: natsConfig(nowhere) }, (publisher) => publisher.broadcast(stream, '1'));
    await expect(refused).rejects.toMatchObject({ code: ErrorCode.NatsFailed });

    const errors: string[] = [];
    const code = await runBroadcastCli(
      [`--stream=${stream}`, '--data=1', '--transport=nats', `--nats_servers=${nowhere}`],
      {},
      { stdout: () => undefined, stderr: (line) => errors.push(line) },
    );
    expect(code).toBe(1);
    expect(errors.join('\n')).toContain(ErrorCode.NatsFailed);
  });

  test('a disconnect sent by the CLI reaches every node', async () => {
    const code = await runBroadcastCli(
      ['--disconnect={"user_id":1}', '--reconnect', `--redis_url=${server.url}`],
      {},
      {
        stdout: () => undefined,
        stderr: () => undefined,
      },
    );

    expect(code).toBe(0);
    await waitFor(() => node.recorder.commands.length === 1, 'the command');
    expect(node.recorder.commands[0]).toEqual({
      command: 'disconnect',
      payload: { identifier: '{"user_id":1}', reconnect: true },
    });
  });
});
