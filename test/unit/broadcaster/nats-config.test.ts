import { readCommandLine, type GatewayConfig } from '../../../gateway/src/config/config';
import { maskNatsUrl } from '../../../broadcaster/src/nats/options';
import { isLiteralSubject, StreamSubjects } from '../../../broadcaster/src/nats/subjects';
import { ConfigError } from '../../../shared/src/errors';

function broadcastOf(argv: string[], env: Record<string, string> = {}): GatewayConfig['broadcast'] {
  const result = readCommandLine(argv, env);
  if (result.action !== 'run') throw new Error(`expected run, got ${result.action}`);
  return result.config.broadcast;
}

function errorOf(argv: string[]): string {
  try {
    readCommandLine(argv, {});
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('NATS configuration', () => {
  it('uses no NATS unless an adapter or the pub/sub asks for it, even with --nats_servers set', () => {
    expect(broadcastOf([]).nats).toBeNull();
    expect(broadcastOf(['--nats_servers=nats://10.0.0.1:4222']).nats).toBeNull();
  });

  it("takes anycable-go's defaults: nats://127.0.0.1:4222, __anycable__ and __anycable_internal__", () => {
    const broadcast = broadcastOf(['--pubsub=nats']);
    expect(broadcast.nats).toEqual({ servers: ['127.0.0.1:4222'], credentials: null, dontRandomize: false, tls: false });
    expect(broadcast.natsChannel).toBe('__anycable__');
    expect(broadcast.internalChannel).toBe('__anycable_internal__');
  });

  it('relays HTTP broadcasts over NATS pub/sub with no Redis, which --pubsub=nats has to ask for', () => {
    const withPubSub = broadcastOf(['--pubsub=nats']);
    expect([withPubSub.adapters, withPubSub.pubsub, withPubSub.redis]).toEqual([['http'], 'nats', null]);
    const inputOnly = broadcastOf(['--broadcast_adapter=nats']);
    expect([inputOnly.adapters, inputOnly.pubsub, inputOnly.redis]).toEqual([['nats'], 'memory', null]);
    expect(inputOnly.nats?.servers).toEqual(['127.0.0.1:4222']);
  });

  it('keeps Redis pub/sub with a Redis URL beside the nats adapter, as anycable-go does', () => {
    const broadcast = broadcastOf(['--broadcast_adapter=http,nats', '--redis_url=redis://127.0.0.1:6390']);
    expect([broadcast.pubsub, broadcast.nats?.servers]).toEqual(['redis', ['127.0.0.1:4222']]);
  });

  it('reads the servers, their credentials and the ordering flag from ANYCABLE_NATS_* variables', () => {
    const broadcast = broadcastOf(['--pubsub=nats'], {
      ANYCABLE_NATS_SERVERS: 'nats://app:p%40ss@n1:4222, nats://app:p%40ss@n2',
      ANYCABLE_NATS_DONT_RANDOMIZE_SERVERS: 'true',
      ANYCABLE_NATS_CHANNEL: 'rails.broadcasts',
    });
    expect(broadcast.nats).toEqual({
      servers: ['n1:4222', 'n2:4222'],
      credentials: { user: 'app', pass: 'p@ss' },
      dontRandomize: true,
      tls: false,
    });
    expect(broadcast.natsChannel).toBe('rails.broadcasts');
    expect(broadcastOf(['--pubsub=nats', '--nats_servers=tls://s3cr3t@n1:4443']).nats).toMatchObject({
      servers: ['n1:4443'],
      credentials: { token: 's3cr3t' },
      tls: true,
    });
  });

  it('refuses servers that are no NATS URLs or carry different credentials, never printing a password', () => {
    expect(errorOf(['--pubsub=nats', '--nats_servers=redis://u:hunter2@h:1'])).toMatch(/expected nats:\/\/host:port.*u:\*\*\*@h/);
    expect(errorOf(['--pubsub=nats', '--nats_servers=nats://a:hunter2@h1,nats://b:hunter2@h2'])).toMatch(/same credentials/);
    expect(errorOf(['--pubsub=nats', '--nats_servers= , '])).toMatch(/no server given/);
    expect(errorOf(['--pubsub=nats', '--nats_servers=redis://u:hunter2@h:1'])).not.toContain('hunter2');
  });

  it('refuses subjects NATS would not take literally', () => {
    expect(errorOf(['--broadcast_adapter=nats', '--nats_channel=any cable'])).toMatch(/--nats_channel/);
    expect(errorOf(['--pubsub=nats', '--pubsub_internal_channel=internal.>'])).toMatch(/--pubsub_internal_channel/);
    expect(errorOf(['--pubsub=nats', '--pubsub_channel_prefix=app..'])).toMatch(/--pubsub_channel_prefix/);
    expect(broadcastOf(['--pubsub=nats', '--pubsub_channel_prefix=app.']).pubsubChannelPrefix).toBe('app.');
  });

  it('moves the internal subject aside when it is the broadcast subject, as anycable-go does for Redis', () => {
    expect(broadcastOf(['--pubsub=nats', '--nats_channel=bus', '--pubsub_internal_channel=bus']).internalChannel).toBe('bus-int');
  });

  it('masks passwords and tokens in server URLs', () => {
    expect(maskNatsUrl('nats://user:secret@host:4222')).toBe('nats://user:***@host:4222');
    expect(maskNatsUrl('nats://token@host:4222')).toBe('nats://***@host:4222');
    expect(maskNatsUrl('nats://host:4222')).toBe('nats://host:4222');
  });
});

describe('stream subjects', () => {
  const subjects = new StreamSubjects('', new Set(['__anycable__', '__anycable_internal__']));

  it('are the stream names themselves when NATS takes them literally, as in anycable-go', () => {
    for (const stream of ['chat/1', 'posts:42', 'Z2lkOi8vYXBwL1VzZXIvMQ', 'gid://app/User/1:notifications', 'a.b.c', 'café']) {
      expect(subjects.of(stream)).toBe(stream);
    }
    expect(new StreamSubjects('app.', new Set()).of('chat/1')).toBe('app.chat/1');
  });

  it('are hashed for names with spaces, wildcards, empty tokens or control characters, and for reserved or long names', () => {
    const hashed = /^_cableway\.h\.[0-9a-f]{64}$/;
    for (const stream of ['room 1', '>', 'a.*', 'a..b', '.a', 'a.', 'x\r\nPUB y 1', 'tab\there', '', '__anycable__']) {
      expect(subjects.of(stream)).toMatch(hashed);
      expect(isLiteralSubject(subjects.of(stream))).toBe(true);
    }
    expect(subjects.of('x'.repeat(257))).toMatch(hashed);
    expect(subjects.of('x'.repeat(256))).toBe('x'.repeat(256));
  });

  it('never give two streams the same subject', () => {
    const disguised = subjects.of(subjects.of('room 1'));
    expect(disguised).not.toBe(subjects.of('room 1'));
    expect(subjects.of('room 1')).toBe(subjects.of('room 1'));
    expect(subjects.of('room 1')).not.toBe(subjects.of('room 2'));
  });
});
