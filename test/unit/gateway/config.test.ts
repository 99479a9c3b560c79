import { availableParallelism } from 'node:os';
import { readCommandLine, type GatewayConfig } from '../../../gateway/src/config/config';
import { describePublicMode } from '../../../gateway/src/config/public-mode';
import { ConfigError, ErrorCode } from '../../../shared/src/errors';

function configOf(argv: string[], env: Record<string, string> = {}): GatewayConfig {
  const result = readCommandLine(argv, env);
  if (result.action !== 'run') throw new Error(`expected run, got ${result.action}`);
  return result.config;
}

function configErrorOf(argv: string[], env: Record<string, string> = {}): ConfigError {
  try {
    readCommandLine(argv, env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('broker configuration', () => {
  it('has no broker by default, with anycable-go limits', () => {
    expect(configOf([]).broker).toEqual({
      kind: 'none',
      historyLimit: 100,
      historyTtlSec: 300,
      sessionsTtlSec: 300,
      presenceTtlSec: 15,
    });
  });

  it('takes the broker and its limits from flags and ANYCABLE_ variables', () => {
    const config = configOf(['--broker=memory', '--history_limit=10'], { ANYCABLE_SESSIONS_TTL: '60' });
    expect(config.broker).toMatchObject({ kind: 'memory', historyLimit: 10, sessionsTtlSec: 60 });
  });

  it('answers --broker=nats with a clear error', () => {
    const error = configErrorOf(['--broker=nats']);
    expect(error.code).toBe(ErrorCode.ConfigBadValue);
    expect(error.message).toMatch(/not supported by Cableway/);
  });
});

describe('configuration', () => {
  it('uses the anycable-go defaults when nothing is set', () => {
    const config = configOf([]);
    expect(config.server).toMatchObject({
      host: 'localhost',
      port: 8080,
      paths: ['/cable'],
      healthPath: '/health',
      maxMessageSize: 65536,
    });
    expect(config.rpc).toMatchObject({
      enabled: true,
      host: 'localhost:50051',
      concurrency: 28,
      commandTimeoutMs: 3000,
      headers: ['cookie'],
    });
    expect(config.ping).toEqual({ intervalSec: 3, precision: 's' });
    expect(config.disconnect).toEqual({ mode: 'auto', ratePerSec: 100, backlog: 4096 });
    expect(config.shutdown.timeoutSec).toBe(30);
    expect(config.metrics.prefix).toBe('cableway_');
  });

  it('runs standalone with the http adapter and in-memory pub/sub when no Redis is configured', () => {
    const { broadcast } = configOf([]);
    expect(broadcast.redis).toBeNull();
    expect(broadcast.adapters).toEqual(['http']);
    expect(broadcast.pubsub).toBe('memory');
    expect(broadcast.http).toEqual({ port: 8090, path: '/_broadcast', key: null });
  });

  it('switches to http,redis and redis pub/sub when REDIS_URL is set', () => {
    const { broadcast } = configOf([], { REDIS_URL: 'redis://127.0.0.1:6390' });
    expect(broadcast.redis?.urls).toEqual(['redis://127.0.0.1:6390']);
    expect(broadcast.adapters).toEqual(['http', 'redis']);
    expect(broadcast.pubsub).toBe('redis');
  });

  it('takes the command line over the environment over the defaults', () => {
    expect(configOf([], { ANYCABLE_PORT: '9000' }).server.port).toBe(9000);
    expect(configOf(['--port=9100'], { ANYCABLE_PORT: '9000' }).server.port).toBe(9100);
    expect(configOf(['--port', '9200'], { PORT: '9000' }).server.port).toBe(9200);
    expect(configOf([], { PORT: '9300' }).server.port).toBe(9300);
  });

  it('accepts dashes and underscores in flag names alike', () => {
    expect(configOf(['--health-path=/up']).server.healthPath).toBe('/up');
    expect(configOf(['--health_path=/up']).server.healthPath).toBe('/up');
  });

  it('reads booleans as bare flags and with explicit values', () => {
    expect(configOf(['--norpc']).rpc.enabled).toBe(false);
    expect(configOf(['--norpc=false']).rpc.enabled).toBe(true);
    expect(configOf([], { ANYCABLE_NORPC: 'true' }).rpc.enabled).toBe(false);
  });

  it('names the ANYCABLE_* variables no option reads, and only those', () => {
    const env = {
      ANYCABLE_JWT_SECERT: 'x',
      ANYCABLE_SECRET: 's',
      ANYCABLE_AAA: '1',
      PORT: '9000',
      REDIS_URL: 'redis://x:1',
      HOME: '/',
    };
    expect(configOf([], env).unknownEnv).toEqual(['ANYCABLE_AAA', 'ANYCABLE_JWT_SECERT']);
    expect(configOf([], { ANYCABLE_REDIS_URL: 'redis://x:1', ANYCABLE_NORPC: '1' }).unknownEnv).toEqual([]);
    // Set for the Rails app in an environment it shares with the node: no typo.
    expect(configOf([], { ANYCABLE_HTTP_BROADCAST_URL: 'http://x/_broadcast', ANYCABLE_JWT_TTL: '60' }).unknownEnv).toEqual([]);
  });

  it('refuses an unknown flag with a config error', () => {
    expect(configErrorOf(['--no_such_flag=1']).code).toBe(ErrorCode.ConfigUnknownOption);
  });

  it('refuses bad values with a config error naming the flag', () => {
    const error = configErrorOf(['--port=eighty']);
    expect(error.code).toBe(ErrorCode.ConfigBadValue);
    expect(error.message).toContain('--port');
    expect(configErrorOf(['--disconnect_mode=sometimes']).code).toBe(ErrorCode.ConfigBadValue);
    expect(configErrorOf(['--broadcast_adapter=http,kafka']).code).toBe(ErrorCode.ConfigBadValue);
    expect(configErrorOf([], { ANYCABLE_PING_INTERVAL: '0' }).code).toBe(ErrorCode.ConfigBadValue);
    expect(configErrorOf(['--log_level=loud']).code).toBe(ErrorCode.ConfigBadValue);
  });

  it('lists every option with its environment variable in --help', () => {
    const result = readCommandLine(['--help'], {});
    if (result.action !== 'help') throw new Error('expected help');
    for (const flag of [
      'host',
      'port',
      'rpc_host',
      'broadcast_key',
      'ws_max_pending_size',
      'disconnect_rate',
      'max_conn',
      'jwt_secret',
    ]) {
      expect(result.text).toContain(`--${flag}`);
      expect(result.text).toContain(`ANYCABLE_${flag.toUpperCase()}`);
    }
  });

  it('derives the broadcast key from the secret and moves HTTP broadcasts to the main port', () => {
    const { broadcast } = configOf(['--secret=s3cret', '--port=8181']);
    expect(broadcast.http.key).toMatch(/^[0-9a-f]{64}$/);
    expect(broadcast.http.port).toBe(8181);
  });

  it('limits a broadcast to ws_max_pending_size unless max_broadcast_size is given', () => {
    expect(configOf([]).broadcast.maxMessageBytes).toBe(1048576);
    expect(configOf(['--ws_max_pending_size=65536']).broadcast.maxMessageBytes).toBe(65536);
    expect(configOf(['--max_broadcast_size=4096']).broadcast.maxMessageBytes).toBe(4096);
    expect(configOf(['--ws_max_pending_size=0']).broadcast.maxMessageBytes).toBe(0);
  });

  it('keeps HTTP broadcasts keyless on 8090 with broadcast_key=none', () => {
    expect(configOf(['--secret=s3cret', '--broadcast_key=none']).broadcast.http).toMatchObject({ key: null, port: 8090 });
  });

  it('accepts the deprecated JWT option names, including jwt_id_param', () => {
    const config = configOf(['--jwt_id_key=k', '--jwt_id_param=token', '--jwt_id_enforce']);
    expect(config.auth.jwt).toEqual({ secret: 'k', param: 'token', enforce: true });
    expect(config.deprecations).toHaveLength(3);
    expect(configOf(['--jwt_id_key=k', '--jwt_id_param=token', '--jwt_param=t2']).auth.jwt?.param).toBe('t2');
  });

  it('enables Turbo and CableReady verification from the deprecated keys', () => {
    const { streams } = configOf(['--turbo_rails_key=t', '--cable_ready_key=c']);
    expect(streams.turboSecret).toBe('t');
    expect(streams.cableReadySecret).toBe('c');
  });

  it('falls back to the streams secret, then the application secret', () => {
    expect(configOf(['--secret=app', '--turbo_streams', '--cable_ready_streams']).streams).toMatchObject({
      turboSecret: 'app',
      cableReadySecret: 'app',
      pubsubSecret: 'app',
    });
    expect(configOf(['--secret=app', '--streams_secret=st', '--turbo_streams']).streams.turboSecret).toBe('st');
  });

  it('treats --public as noauth, public streams and no broadcast key', () => {
    const config = configOf(['--public', '--secret=s']);
    expect(config.auth.noauth).toBe(true);
    expect(config.streams.publicStreams).toBe(true);
    expect(config.broadcast.http.key).toBeNull();
    expect(config.publicMode?.kept).toEqual([]);
    expect(describePublicMode(config.publicMode!)).toContain(
      'connections without authentication, unsigned $pubsub stream names, HTTP broadcasts without a key',
    );
  });

  it('opens nothing without --public, whatever else is configured', () => {
    const config = configOf([], { ANYCABLE_SECRET: 's', ANYCABLE_BROADCAST_KEY: 'k', ANYCABLE_RPC_HOST: 'rails:50051' });
    expect(config.publicMode).toBeNull();
    expect(config.auth.noauth).toBe(false);
    expect(config.streams.publicStreams).toBe(false);
    expect(config.broadcast.http.key).toBe('k');
  });

  it('keeps an explicit broadcast key and JWT enforcement over --public, and says so', () => {
    const config = configOf(['--broadcast_key=k', '--enforce_jwt', '--secret=s'], { ANYCABLE_PUBLIC: 'true' });
    expect(config.broadcast.http.key).toBe('k');
    expect(config.auth.noauth).toBe(false);
    expect(config.auth.jwt?.enforce).toBe(true);
    expect(config.streams.publicStreams).toBe(true);
    const warning = describePublicMode(config.publicMode!);
    expect(warning).toContain('open to anyone: unsigned $pubsub stream names;');
    expect(warning).toContain('kept: the configured broadcast key and JWT enforcement');
  });

  it('renames the internal channel when it would be the legacy broadcast channel', () => {
    const config = configOf(['--redis_url=redis://x:1', '--redis_channel=shared', '--pubsub_internal_channel=shared']);
    expect(config.broadcast.internalChannel).toBe('shared-int');
  });

  it('gives node-to-node channels a prefix when Rails channels have none', () => {
    const config = configOf(['--broadcast_adapter=actioncable', '--redis_url=redis://localhost:6379']);
    expect(config.broadcast.pubsubChannelPrefix).toBe('cableway:');
    const prefixed = configOf(['--broadcast_adapter=actioncable', '--actioncable_channel_prefix=app', '--redis_url=redis://x:1']);
    expect(prefixed.broadcast.pubsubChannelPrefix).toBe('');
  });
});

describe('--workers', () => {
  it('is one event loop by default, a number when given, one per core with auto', () => {
    expect(configOf([]).server.workers).toBe(1);
    expect(configOf(['--workers=3']).server.workers).toBe(3);
    expect(configOf([], { ANYCABLE_WORKERS: '2' }).server.workers).toBe(2);
    expect(configOf(['--workers=auto']).server.workers).toBe(availableParallelism());
  });

  it('refuses 0, a fraction and words', () => {
    for (const value of ['0', '1.5', 'many']) {
      expect(configErrorOf([`--workers=${value}`]).message).toContain(`--workers=${value}: expected a number`);
    }
  });

  it('refuses the memory broker, and takes the redis one', () => {
    expect(configErrorOf(['--workers=2', '--broker=memory']).message).toContain('with --workers, use --broker=redis');
    expect(configOf(['--workers=2', '--broker=redis', '--redis_url=redis://localhost:6379']).server.workers).toBe(2);
    expect(configOf(['--workers=1', '--broker=memory']).broker.kind).toBe('memory');
  });
});
