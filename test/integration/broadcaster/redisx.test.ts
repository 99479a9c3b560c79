import { waitFor } from '../../support/wait';
import { busConfig, redisConfig, startNode, type TestNode, useRedisServer } from './harness';

const redis = useRedisServer();
let streamNumber = 0;
let stream: string;

beforeEach(() => {
  streamNumber += 1;
  stream = `broadcasts-${streamNumber}`;
});

/** redisx nodes with in-memory pub/sub, so each delivery shows which node read the entry. */
async function startNodes(count: number): Promise<TestNode[]> {
  const config = busConfig({
    adapters: ['redisx'],
    redisx: { stream, group: 'bx', readBlockMs: 200 },
    redis: redisConfig(redis.server.url),
  });
  const started = await Promise.all(Array.from({ length: count }, (_, i) => startNode(config, `node-${i}`)));
  redis.nodes.push(...started);
  return started;
}

const publication = (n: number) => JSON.stringify({ stream: 'orders', data: JSON.stringify(n) });

async function consumers(): Promise<string[]> {
  const info = (await redis.client.xinfo('CONSUMERS', stream, 'bx')) as unknown[][];
  return info.map((fields) => String(fields[1]));
}

describe('the redisx adapter', () => {
  test('hands each publication to exactly one of three nodes', async () => {
    const started = await startNodes(3);
    for (let n = 0; n < 60; n += 1) await redis.client.xadd(stream, '*', 'payload', publication(n));

    const all = () => started.flatMap((node) => node.recorder.dataOf('orders'));
    await waitFor(() => all().length >= 60, 'sixty deliveries');
    expect(
      all()
        .map(Number)
        .sort((x, y) => x - y),
    ).toEqual(Array.from({ length: 60 }, (_, n) => n));
    await waitFor(async () => (await redis.client.xlen(stream)) === 0, 'every entry deleted after handling');
  });

  test('claims the entries a dead consumer read but never acknowledged', async () => {
    await redis.client.xgroup('CREATE', stream, 'bx', '$', 'MKSTREAM');
    await redis.client.xadd(stream, '*', 'payload', publication(1));
    await redis.client.xadd(stream, '*', 'payload', publication(2));
    const dead = await redis.client.xreadgroup('GROUP', 'bx', 'dead-consumer', 'STREAMS', stream, '>');
    expect(dead).not.toBeNull();

    const [survivor] = await startNodes(1);
    await waitFor(() => survivor!.recorder.dataOf('orders').length === 2, 'the two stale entries reclaimed', 8_000);
    expect(survivor!.recorder.dataOf('orders').sort()).toEqual(['1', '2']);
    await waitFor(async () => (await redis.client.xlen(stream)) === 0, 'the reclaimed entries deleted');
  });

  test('removes its consumer from the group when it shuts down with nothing pending', async () => {
    const [only] = await startNodes(1);
    await redis.client.xadd(stream, '*', 'payload', publication(1));
    await waitFor(() => only!.recorder.messages.length === 1, 'the delivery');
    expect(await consumers()).toHaveLength(1);

    await redis.nodes.pop()!.bus.shutdown();
    expect(await consumers()).toEqual([]);
  });

  test('creates the group again when Redis has lost it, and keeps reading', async () => {
    const [only] = await startNodes(1);
    await redis.client.del(stream);
    await waitFor(async () => (await redis.client.exists(stream)) === 1, 'the stream and group created again', 5_000);
    await redis.client.xadd(stream, '*', 'payload', publication(7));

    await waitFor(() => only!.recorder.dataOf('orders').includes('7'), 'the delivery after the group came back');
  });
});
