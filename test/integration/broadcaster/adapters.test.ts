import type { AdapterName } from '../../../broadcaster/src/options';
import { waitFor } from '../../support/wait';
import { busConfig, httpPost, redisConfig, startNode, type TestNode, useRedisServer } from './harness';

const redis = useRedisServer();

async function node(
  adapter: AdapterName,
  overrides: Parameters<typeof busConfig>[0] = { adapters: [adapter] },
): Promise<TestNode> {
  const started = await startNode(busConfig({ redis: redisConfig(redis.server.url), ...overrides }), `node-${adapter}`);
  redis.nodes.push(started);
  return started;
}

/** How each anycable-format input is fed a raw publication. */
const feeds: Record<'http' | 'redis' | 'redisx', (node: TestNode, raw: string) => Promise<void>> = {
  http: async (node, raw) => {
    expect(httpPost(node, raw)).toBe(201);
  },
  redis: async (_node, raw) => {
    await redis.client.publish('__anycable__', raw);
  },
  redisx: async (_node, raw) => {
    await redis.client.xadd('__anycable__', '*', 'payload', raw);
  },
};

const message = (stream: string, n: number) => ({ stream, data: JSON.stringify({ n }) });

describe.each(['http', 'redis', 'redisx'] as const)('the %s adapter', (adapter) => {
  const feed = feeds[adapter];

  test('delivers single and batched publications of each stream in the order they were sent', async () => {
    const target = await node(adapter);
    await feed(target, JSON.stringify(message('a', 1)));
    await feed(target, JSON.stringify([message('a', 2), message('b', 1), message('a', 3)]));
    await feed(target, JSON.stringify(message('b', 2)));
    await feed(target, JSON.stringify({ ...message('a', 4), meta: { exclude_socket: 'sid-1' } }));

    await waitFor(() => target.recorder.messages.length === 6, 'six deliveries');
    expect(target.recorder.dataOf('a')).toEqual(['{"n":1}', '{"n":2}', '{"n":3}', '{"n":4}']);
    expect(target.recorder.dataOf('b')).toEqual(['{"n":1}', '{"n":2}']);
    expect(target.recorder.messages[5]!.meta).toEqual({ exclude_socket: 'sid-1' });
  });

  test('executes a remote disconnect command', async () => {
    const target = await node(adapter);
    await feed(target, JSON.stringify({ command: 'disconnect', payload: { identifier: '{"user":1}', reconnect: true } }));

    await waitFor(() => target.recorder.commands.length === 1, 'the command');
    expect(target.recorder.commands[0]).toEqual({
      command: 'disconnect',
      payload: { identifier: '{"user":1}', reconnect: true },
    });
  });

  test('counts and skips a malformed publication, and delivers the next good one', async () => {
    const target = await node(adapter);
    await feed(target, 'not json');
    await feed(target, JSON.stringify({ stream: 'a', data: { not: 'a string' } }));
    await feed(target, JSON.stringify(message('a', 1)));

    await waitFor(() => target.recorder.messages.length === 1, 'the good publication');
    expect(target.recorder.dataOf('a')).toEqual(['{"n":1}']);
    expect(await target.metric('failed_broadcast_msg_total')).toBe(2);
    expect(target.logs.filter((line) => line.includes('invalid broadcast publication'))).toHaveLength(2);
  });
});

describe.each(['http', 'redis', 'redisx'] as const)('a batch with bad elements on the %s adapter', (adapter) => {
  test('delivers every valid element in order, and counts and logs each bad one', async () => {
    const feed = feeds[adapter];
    const target = await node(adapter);
    const batch = [message('a', 1), { data: '"no stream"' }, message('b', 1), { stream: 'a', data: { n: 2 } }, message('a', 3)];
    await feed(target, JSON.stringify(batch));
    await feed(target, JSON.stringify(message('a', 4)));

    await waitFor(() => target.recorder.messages.length === 4, 'the valid elements and the next publication');
    expect(target.recorder.messages.map(({ stream, data }) => `${stream}${data}`)).toEqual([
      'a{"n":1}',
      'b{"n":1}',
      'a{"n":3}',
      'a{"n":4}',
    ]);
    expect(await target.metric('failed_broadcast_msg_total')).toBe(2);
    const logged = target.logs.filter((line) => line.includes('invalid broadcast publication'));
    expect(logged.map((line) => /batch element (\d)/.exec(line)?.[1])).toEqual(['1', '3']);
  });
});

describe('publications_total', () => {
  test('counts what non-fan-out inputs receive, a batch once, and nothing of fan-out inputs', async () => {
    const target = await node('http', { adapters: ['http', 'redis'] });
    await feeds.http(target, JSON.stringify([message('a', 1), message('a', 2)]));
    await feeds.http(target, JSON.stringify(message('a', 3)));
    await feeds.redis(target, JSON.stringify(message('a', 4)));

    await waitFor(() => target.recorder.messages.length === 4, 'four deliveries');
    expect(await target.metric('publications_total')).toBe(2);
  });
});

describe('the redisx adapter', () => {
  test('counts an entry without a payload field as malformed and acknowledges it', async () => {
    const target = await node('redisx');
    await redis.client.xadd('__anycable__', '*', 'body', JSON.stringify(message('a', 1)));
    await redis.client.xadd('__anycable__', '*', 'payload', JSON.stringify(message('a', 2)));

    await waitFor(() => target.recorder.messages.length === 1, 'the good entry');
    expect(await target.metric('failed_broadcast_msg_total')).toBe(1);
    await waitFor(async () => (await redis.client.xlen('__anycable__')) === 0, 'both entries deleted');
    expect(await redis.client.xpending('__anycable__', 'bx')).toEqual([0, null, null, null]);
  });
});

describe('the actioncable adapter', () => {
  test('hears the prefixed channel of each stream the node serves and delivers the payload as the message', async () => {
    const target = await node('actioncable', { adapters: ['actioncable'], actioncablePrefix: 'myapp_production' });
    await target.bus.subscribe('chat_1');
    await redis.client.publish('myapp_production:chat_1', '{"text":"one"}');
    await redis.client.publish('myapp_production:chat_2', '{"text":"not served"}');
    await redis.client.publish('myapp_production:chat_1', '{"text":"two"}');

    await waitFor(() => target.recorder.messages.length === 2, 'two deliveries');
    expect(target.recorder.messages).toEqual([
      { stream: 'chat_1', data: '{"text":"one"}' },
      { stream: 'chat_1', data: '{"text":"two"}' },
    ]);
  });

  test('subscribes the bare stream name when Rails has no channel prefix, and stops when the stream is left', async () => {
    const target = await node('actioncable');
    await target.bus.subscribe('chat_1');
    expect(await redis.client.pubsub('NUMSUB', 'chat_1')).toEqual(['chat_1', 1]);

    target.bus.unsubscribe('chat_1');
    await waitFor(async () => (await redis.client.pubsub('NUMSUB', 'chat_1'))[1] === 0, 'the channel unsubscribed');
  });

  test('counts and skips a payload that is not JSON, and delivers the next good one', async () => {
    const target = await node('actioncable');
    await target.bus.subscribe('chat_1');
    await redis.client.publish('chat_1', '<html>');
    await redis.client.publish('chat_1', '"<turbo-stream></turbo-stream>"');

    await waitFor(() => target.recorder.messages.length === 1, 'the good message');
    expect(target.recorder.dataOf('chat_1')).toEqual(['"<turbo-stream></turbo-stream>"']);
    expect(await target.metric('failed_broadcast_msg_total')).toBe(1);
  });

  test('says at start that the pub/sub channels take a prefix when Rails uses bare stream names', async () => {
    const target = await node('actioncable', { adapters: ['actioncable'], pubsub: 'redis', pubsubChannelPrefix: 'cableway:' });
    await target.bus.subscribe('chat_1');

    expect(target.logs.some((line) => line.includes('pub/sub channels take a prefix') && line.includes('cableway:'))).toBe(true);
    expect((await redis.client.pubsub('CHANNELS', '*chat_1')).sort()).toEqual(['cableway:chat_1', 'chat_1']);
  });
});
