import { redisClientName } from '../../../shared/src/redis/connect';
import { reconnectDelay } from '../../../shared/src/redis/backoff';
import { keySlot } from '../../../shared/src/redis/slot';
import { describeRedisTarget, parseRedisUrl } from '../../../shared/src/redis/url';
import { ErrorCode } from '../../../shared/src/errors';
import type { RedisConfig } from '../../../shared/src/redis/options';

const config = (urls: string[], sentinels: RedisConfig['sentinels'] = []): RedisConfig => ({
  urls,
  sentinels,
  tls: { verify: false },
  keepaliveMs: 0,
});

describe('Redis URLs', () => {
  test('read host, port, credentials, database and TLS', () => {
    expect(parseRedisUrl('rediss://user:p%40ss@cache.internal:6380/3')).toEqual({
      host: 'cache.internal',
      port: 6380,
      username: 'user',
      password: 'p@ss',
      db: 3,
      tls: true,
    });
    expect(parseRedisUrl('redis://localhost')).toEqual({ host: 'localhost', port: 6379, db: 0, tls: false });
  });

  test.each(['http://localhost:6379', 'redis://localhost/abc', 'not a url'])('reject %j with a configuration error', (url) => {
    expect(() => parseRedisUrl(url)).toThrow(expect.objectContaining({ code: ErrorCode.ConfigBadValue }));
  });

  test('never show the password when they are described', () => {
    expect(describeRedisTarget(config(['redis://:secret@h:1/2']))).toBe('redis://h:1/2');
    expect(describeRedisTarget(config(['redis://:secret@a:1', 'redis://:secret@b:2']))).toBe('cluster a:1,b:2');
    expect(describeRedisTarget(config(['redis://:secret@mymaster/1'], [{ host: 's1', port: 26379, password: 'x' }]))).toBe(
      'sentinel master mymaster/1 via s1:26379',
    );
    expect(() => parseRedisUrl('ftp://:secret@h')).toThrow('"ftp://:***@h"');
  });
});

describe('the reconnect delay', () => {
  test('doubles from 50 ms and stops growing at 5 s, before jitter', () => {
    const noJitter = () => 0;
    expect([1, 2, 3, 4, 7, 8, 50, 10_000].map((attempt) => reconnectDelay(attempt, noJitter))).toEqual([
      50, 100, 200, 400, 3200, 5000, 5000, 5000,
    ]);
  });

  test('adds under 200 ms of jitter', () => {
    expect(reconnectDelay(1, () => 0.999)).toBe(249);
  });
});

describe('cluster key slots', () => {
  // Answers of CLUSTER KEYSLOT on Redis 7.0.
  test.each([
    ['123456789', 12739],
    ['foo', 12182],
    ['{user1000}.following', 3443],
    ['foo{}{bar}', 8363],
    ['foo{{bar}}zap', 4015],
    ['foo{bar}{zap}', 5061],
    ['x{}y', 16116],
  ])('put %j in slot %i as Redis does', (key, slot) => {
    expect(keySlot(key)).toBe(slot);
  });
});

describe('Redis client names', () => {
  test('join their parts and keep only what CLIENT SETNAME takes', () => {
    expect(redisClientName('cableway', 'node 1\n', 'pubsub')).toBe('cableway-node_1_-pubsub');
    expect(redisClientName('cableway', 'rs0', 'actioncable')).toBe('cableway-rs0-actioncable');
  });
});
