import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pubsubIdentifier, pubsubSubscriber, type RawClient } from '../../support/clients';
import { metricValue, postBroadcast, runCli, startGateway, type GatewayProcess } from '../../support/gateway';
import { readRepoFile } from '../../support/deploy-files';
import { freePort } from '../../support/ports';
import { startRedisServer, type RedisServer } from '../../support/redis-server';
import { restoredAfterDrop } from '../../support/restore';
import { waitFor } from '../../support/wait';

/** The `message` of every broadcast frame a client received on `stream`, in order. */
const received = (client: RawClient, stream: string): Array<Record<string, unknown>> =>
  client
    .messages()
    .filter((frame) => frame.identifier === pubsubIdentifier(stream) && frame.message !== undefined)
    .map((frame) => frame.message as Record<string, unknown>);

async function perWorkerClients(gateway: GatewayProcess, workers: number): Promise<number[]> {
  return Promise.all(
    Array.from({ length: workers }, (_, index) =>
      metricValue(gateway.httpUrl, 'cableway_worker_clients_num', `{worker="${index}"}`),
    ),
  );
}

describe('a standalone node with --workers=2', () => {
  const marker = join(mkdtempSync(join(tmpdir(), 'cableway-workers-')), 'failed');
  let gateway: GatewayProcess;

  beforeAll(async () => {
    const port = await freePort();
    gateway = await startGateway(
      { public: true, workers: 2, port, http_broadcast_port: port, metrics_http: '/metrics', shutdown_slowdrain: true },
      { FAIL_WORKER_INDEX: '1', FAIL_WORKER_AFTER_MS: '4000', FAIL_WORKER_MARKER: marker },
      { nodeArgs: ['--require', join(__dirname, '../../support/failing-worker.cjs')] },
    );
    // The node answers as soon as one worker listens; the kernel spreads connections over those listening.
    await waitFor(async () => (await metricValue(gateway.httpUrl, 'cableway_workers_num')) === 2, 'both workers');
  });

  afterAll(async () => {
    await gateway?.stop();
  });

  it('spreads connections over both workers, and gives every client every broadcast once, in order', async () => {
    const clients = await Promise.all(Array.from({ length: 30 }, () => pubsubSubscriber(gateway.url, 'spread')));
    const perWorker = await perWorkerClients(gateway, 2);
    expect(perWorker.every((count) => count > 0)).toBe(true);
    expect(perWorker[0]! + perWorker[1]!).toBe(30);
    expect(await metricValue(gateway.httpUrl, 'cableway_clients_num')).toBe(30);

    const batch = Array.from({ length: 20 }, (_, n) => ({ stream: 'spread', data: JSON.stringify({ n }) }));
    // The broadcast endpoint is on the WebSocket port: whichever worker takes the POST, the primary's input does.
    expect(await postBroadcast(gateway.broadcastUrl, batch)).toBe(201);
    const expected = batch.map((_, n) => ({ n }));
    await waitFor(() => clients.every((client) => received(client, 'spread').length >= 20), 'every broadcast everywhere');
    for (const client of clients) expect(received(client, 'spread')).toEqual(expected);
    expect(await metricValue(gateway.httpUrl, 'cableway_broadcast_deliveries_total')).toBe(600);
    for (const client of clients) client.close();
  });

  it('exports the per-worker metrics the README lists, with their types', async () => {
    const readme = readRepoFile('README.md');
    const table = readme.slice(readme.indexOf('| Metric (with `--workers` only)'));
    const documented = [...table.slice(0, table.indexOf('\n\n')).matchAll(/^\| `([a-z0-9_]+)` \| ([a-z]+) \|/gm)];
    expect(documented.length).toBe(8);
    const text = await (await fetch(`${gateway.httpUrl}/metrics`)).text();
    for (const [, name, type] of documented) expect(text).toContain(`# TYPE cableway_${name} ${type}\n`);
  });

  it("starts a failed worker again, and the other worker's clients stay connected and served", async () => {
    const clients = await Promise.all(Array.from({ length: 20 }, () => pubsubSubscriber(gateway.url, 'survivors')));
    await gateway.waitForOutput(/worker failed: closing its connections/, 10_000);
    await gateway.waitForOutput(/worker exited: starting it again/);
    const dropped = await waitFor(() => {
      const closed = clients.filter((client) => client.closeCode !== null);
      return closed.length > 0 && closed;
    }, "the failed worker's clients to be cut");
    const survivors = clients.filter((client) => client.closeCode === null);
    expect(survivors.length).toBeGreaterThan(0);
    expect(survivors.length + dropped.length).toBe(20);
    await waitFor(async () => (await metricValue(gateway.httpUrl, 'cableway_workers_num')) === 2, 'both workers again');

    await postBroadcast(gateway.broadcastUrl, { stream: 'survivors', data: '{"after":"restart"}' });
    await waitFor(() => survivors.every((client) => received(client, 'survivors').length === 1), 'the survivors served');
    const rejoined = await Promise.all(dropped.map(() => pubsubSubscriber(gateway.url, 'survivors')));
    await postBroadcast(gateway.broadcastUrl, { stream: 'survivors', data: '{"n":2}' });
    await waitFor(
      () => [...survivors, ...rejoined].every((client) => received(client, 'survivors').at(-1)?.n === 2),
      'every client served after the restart',
    );
    for (const client of [...survivors, ...rejoined]) client.close();
  });

  it('drains every worker slowly on SIGTERM: each client gets server_restart, spread out, and the node exits 0', async () => {
    const clients = await Promise.all(Array.from({ length: 10 }, () => pubsubSubscriber(gateway.url, 'drain')));
    const closedAt = clients.map((client) => client.closed.then(() => Date.now()));
    expect(await gateway.stop()).toBe(0);
    for (const client of clients) {
      expect(client.messages()).toContainEqual({ type: 'disconnect', reason: 'server_restart', reconnect: true });
    }
    // Each worker spreads its own clients 500 ms apart (--shutdown_slowdrain_max_interval), over the same window.
    const times = (await Promise.all(closedAt)).sort((a, b) => a - b);
    expect(times.at(-1)! - times[0]!).toBeGreaterThanOrEqual(1000);
  });
});

/** The value of every series of `name` in one scrape, by its `worker` label ('' for the node's own). */
function seriesByWorker(text: string, name: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const match of text.matchAll(new RegExp(`^${name}(?:\\{worker="(\\d+)"\\})? (\\S+)$`, 'gm'))) {
    values.set(match[1] ?? '', Number(match[2]));
  }
  return values;
}

describe('a node with --workers=2, one of them stuck in synchronous work', () => {
  it("reports each worker's event-loop lag, and the worst of them as the node's", async () => {
    const gateway = await startGateway(
      { public: true, workers: 2, metrics_http: '/metrics' },
      { SLOW_WORKER_INDEX: '1', SLOW_WORKER_BLOCK_MS: '150' },
      { nodeArgs: ['--require', join(__dirname, '../../support/slow-worker.cjs')] },
    );
    try {
      await waitFor(async () => (await metricValue(gateway.httpUrl, 'cableway_workers_num')) === 2, 'both workers');
      // Each scrape covers the time since the previous one: let the slow worker block a few times first.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const text = await (await fetch(`${gateway.httpUrl}/metrics`)).text();
      const perWorker = seriesByWorker(text, 'cableway_worker_eventloop_lag_p99_seconds');
      const node = seriesByWorker(text, 'cableway_thread_eventloop_lag_p99_seconds');
      expect(perWorker.get('1')).toBeGreaterThanOrEqual(0.14);
      expect(perWorker.get('0')).toBeLessThan(perWorker.get('1')!);
      expect(perWorker.get('0')).toBeGreaterThan(0);
      expect(node.get('')).toBe(perWorker.get('1'));
    } finally {
      await gateway.stop();
    }
  });
});

describe('a cluster node with --workers=2 and the redis broker', () => {
  let redis: RedisServer;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    redis = await startRedisServer();
    gateway = await startGateway({ public: true, workers: 2, redis_url: redis.url, broker: 'redis', metrics_http: '/metrics' });
    await waitFor(async () => (await metricValue(gateway.httpUrl, 'cableway_workers_num')) === 2, 'both workers');
  });

  afterAll(async () => {
    await gateway?.stop();
    await redis?.stop();
  });

  it('restores a dropped session on whichever worker takes it back, with exactly what it missed', async () => {
    for (let round = 0; round < 6; round += 1) {
      const stream = `roam-${round}`;
      const { client: again, position } = await restoredAfterDrop(gateway, stream, [1, 2, 3]);
      again.send({
        command: 'history',
        identifier: pubsubIdentifier(stream),
        history: { streams: { [stream]: position } },
      });
      await again.next((frame) => frame.type === 'confirm_history', 'confirm_history');
      expect(received(again, stream)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
      again.close();
    }
    // One history write per publication for the node, whichever worker serves the stream.
    expect(await metricValue(gateway.httpUrl, 'cableway_history_writes_total')).toBe(24);
  });
});

describe('--workers on the command line', () => {
  it('refuses a value that is no number of event loops', async () => {
    const result = await runCli(['--workers=many']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--workers=many: expected a number of event loops (1 or more) or auto');
  });

  it('refuses the memory broker, whose history and sessions would be one per worker', async () => {
    const result = await runCli(['--workers=2', '--broker=memory']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('with --workers, use --broker=redis');
  });
});
