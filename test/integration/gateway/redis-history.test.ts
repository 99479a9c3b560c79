import { RedisHistory } from '../../../gateway/src/broker/redis-history';
import { createLogger } from '../../../shared/src/logger';
import { createRedisConnection, type RedisConnection } from '../../../shared/src/redis/connect';
import { redisConfig, useRedisServer } from '../broadcaster/harness';
import { waitFor } from '../../support/wait';

const redis = useRedisServer();
let connection: RedisConnection;
let history: RedisHistory;

beforeAll(async () => {
  connection = createRedisConnection(redisConfig(redis.server.url), 'commands', createLogger({ level: 'error', format: 'text' }));
  await waitFor(() => connection.status === 'ready', 'the connection');
  history = new RedisHistory(connection, { limit: 100, ttlSec: 300 });
});

afterAll(() => connection.disconnect());

describe('the Redis history', () => {
  test('keeps the origin of fan-out messages and finds the newest of an input behind entries of others', async () => {
    await history.record(
      'chat',
      [
        { stream: 'chat', data: '"a"' },
        { stream: 'chat', data: '"b"' },
      ],
      ['redis m/1 1', 'redis m/1 2'],
    );
    await history.record('chat', [{ stream: 'chat', data: '"c"' }], ['nats m/4 1']);
    await history.record('chat', [{ stream: 'chat', data: '"d"' }]);
    await history.record('chat', [{ stream: 'chat', data: '"e"', meta: { transient: true } }], ['redis m/1 3']);

    expect(await history.lastPositioned('chat', 'redis')).toEqual({ origin: 'redis m/1 2', data: '"b"' });
    expect(await history.lastPositioned('chat', 'nats')).toEqual({ origin: 'nats m/4 1', data: '"c"' });
    expect(await history.lastPositioned('chat', 'actioncable')).toBeNull();
    expect(await history.lastPositioned('elsewhere', 'redis')).toBeNull();
    // Origins are the node's own: what clients read back is what they always read.
    const read = await history.since('chat', 0);
    expect(read.map((message) => message.data)).toEqual(['"a"', '"b"', '"c"', '"d"']);
    expect(read.map((message) => Object.keys(message).sort())).toEqual(Array(4).fill(['data', 'position', 'stream']));
  });
});
