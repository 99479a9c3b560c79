import path from 'node:path';
import { parse } from 'smol-toml';
import { readCommandLine, type CommandLine, type GatewayConfig } from '../../../gateway/src/config/config';
import type { ConfigFiles } from '../../../gateway/src/config/config-file';
import { UNSUPPORTED_OPTIONS } from '../../../gateway/src/config/not-supported';
import { gatewayOptions } from '../../../gateway/src/config/options';
import { normalizeName, type OptionTable } from '../../../shared/src/config/options';
import { ConfigError, ErrorCode } from '../../../shared/src/errors';

const CWD = '/srv/app';
const table: OptionTable = gatewayOptions;

/** Files as a map of absolute paths to their text. */
function filesOf(entries: Record<string, string>): ConfigFiles {
  return { cwd: CWD, read: (file) => entries[path.resolve(CWD, file)] ?? null };
}

const NO_FILES = filesOf({});

function commandLine(argv: string[], env: Record<string, string>, files: ConfigFiles): CommandLine {
  return readCommandLine(argv, env, files);
}

function configOf(argv: string[], env: Record<string, string> = {}, files: ConfigFiles = NO_FILES): GatewayConfig {
  const result = commandLine(argv, env, files);
  if (result.action !== 'run') throw new Error(`expected run, got ${result.action}`);
  return result.config;
}

function withFile(text: string, argv: string[] = [], env: Record<string, string> = {}): GatewayConfig {
  return configOf(argv, env, filesOf({ [`${CWD}/anycable.toml`]: text }));
}

function printed(argv: string[], env: Record<string, string> = {}, files: ConfigFiles = NO_FILES): string {
  const result = commandLine([...argv, '--print-config'], env, files);
  if (result.action !== 'print-config') throw new Error(`expected print-config, got ${result.action}`);
  return result.text;
}

function errorOf(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const FILE = `
secret = "file-secret"
broadcast_key = "file-key"
broadcast_adapters = ["http", "redisx"]
presets = ["none"]

[server]
host = "0.0.0.0"
port = 9000
allowed_origins = "example.com,*.example.io"

[ws]
paths = ["/cable", "/admin/cable"]

[jwt]
param = "token"
force = true

[redis]
url = "redis://:redis-pass@redis:6379/1"
sentinels = "s1:26379,s2:26379"

[rpc]
host = "rails:50051"
proxy_headers = ["cookie", "x-api-token"]
proxy_cookies = ["_session_id"]

[metrics]
http_path = "/metrics"
tags.region = "eu"
tags.app = "chat"

[app]
pong_timeout = 6
enable_native_ping = true
`;

describe('anycable.toml', () => {
  it('maps every section of anycable-go’s layout onto the options', () => {
    const config = withFile(FILE);
    expect(config.server).toMatchObject({
      host: '0.0.0.0',
      port: 9000,
      paths: ['/cable', '/admin/cable'],
      allowedOrigins: ['example.com', '*.example.io'],
    });
    expect(config.auth.jwt).toEqual({ secret: 'file-secret', param: 'token', enforce: true });
    expect(config.broadcast.adapters).toEqual(['http', 'redisx']);
    expect(config.broadcast.http.key).toBe('file-key');
    expect(config.broadcast.redis?.urls).toEqual(['redis://:redis-pass@redis:6379/1']);
    expect(config.broadcast.redis?.sentinels).toEqual([
      { host: 's1', port: 26379 },
      { host: 's2', port: 26379 },
    ]);
    expect(config.rpc).toMatchObject({ host: 'rails:50051', headers: ['cookie', 'x-api-token'] });
    expect(config.proxyCookies).toEqual(['_session_id']);
    expect(config.metrics).toMatchObject({ path: '/metrics', tags: { region: 'eu', app: 'chat' } });
    expect(config.pong).toEqual({ timeoutSec: 6, nativePings: true });
    expect(config.sources).toEqual({ file: './anycable.toml', presets: [], warnings: [] });
  });

  it('takes anycable’s implementation = "none" as --norpc', () => {
    expect(withFile('[rpc]\nimplementation = "none"\n').rpc.enabled).toBe(false);
    expect(withFile('[rpc]\nimplementation = "grpc"\n').rpc.enabled).toBe(true);
  });

  it('ranks the command line over the environment over the file over presets over defaults', () => {
    const fly = { FLY_APP_NAME: 'app', FLY_REGION: 'ams', FLY_ALLOC_ID: 'a1' };
    const file = '[server]\nhost = "10.0.0.1"\nport = 9000\n[jwt]\nparam = "token"\n';
    expect(withFile(file, [], fly).server.host).toBe('10.0.0.1');
    expect(withFile(file, [], { ...fly, ANYCABLE_HOST: '10.0.0.2' }).server.host).toBe('10.0.0.2');
    expect(withFile(file, ['--host=10.0.0.3'], { ...fly, ANYCABLE_HOST: '10.0.0.2' }).server.host).toBe('10.0.0.3');
    expect(withFile('', [], fly).server.host).toBe('0.0.0.0');
    expect(withFile('').server.host).toBe('localhost');
    expect(withFile(file, [], { PORT: '7000' }).server.port).toBe(7000);
    expect(withFile(file, ['--jwt_param=jid'], { ANYCABLE_SECRET: 's' }).auth.jwt?.param).toBe('jid');
  });

  it('names an unknown key in a warning and starts', () => {
    const config = withFile('[server]\nhots = "0.0.0.0"\n[nothing]\nat_all = 1\n');
    expect(config.sources.warnings).toEqual([
      './anycable.toml: unknown key server.hots',
      './anycable.toml: unknown key nothing.at_all',
    ]);
  });

  it.each([
    ['[server]\nport = "8080"\n', './anycable.toml: server.port: expected an integer, got "8080"'],
    ['[server]\nport = 70000\n', './anycable.toml: server.port: expected an integer in [0, 65535], got 70000'],
    ['[jwt]\nforce = "yes"\n', './anycable.toml: jwt.force: expected true or false, got "yes"'],
    ['broadcast_adapters = ["kafka"]\n', './anycable.toml: broadcast_adapters: expected a list of'],
    ['[ws]\npaths = [1]\n', './anycable.toml: ws.paths: expected an array of strings, got [1]'],
    ['[metrics]\ntags = "a:b"\n', './anycable.toml: metrics.tags: expected a table of strings'],
    ['[server\nport = 1\n', './anycable.toml:1:8: not valid TOML'],
  ])('refuses the bad value in %j', (text, message) => {
    const error = errorOf(() => withFile(text));
    expect(error.code).toBe(ErrorCode.ConfigBadValue);
    expect(error.message).toContain(message);
  });
});

describe('where the file is looked up', () => {
  const files = filesOf({
    [`${CWD}/anycable.toml`]: 'node_id = "cwd"\n',
    '/etc/anycable/anycable.toml': 'node_id = "etc"\n',
    [`${CWD}/config/cable.toml`]: 'node_id = "given"\n',
  });
  const etcOnly = filesOf({ '/etc/anycable/anycable.toml': 'node_id = "etc"\n' });

  it('reads --config-path (or ANYCABLE_CONFIG_PATH), relative to the working directory', () => {
    expect(configOf(['--config-path=config/cable.toml'], {}, files).nodeId).toBe('given');
    expect(configOf([], { ANYCABLE_CONFIG_PATH: 'config/cable.toml' }, files).nodeId).toBe('given');
  });

  it('then ./anycable.toml, then /etc/anycable/anycable.toml', () => {
    expect(configOf([], {}, files).nodeId).toBe('cwd');
    expect(configOf([], {}, etcOnly)).toMatchObject({ nodeId: 'etc', sources: { file: '/etc/anycable/anycable.toml' } });
  });

  it('reads none with --ignore-config-path', () => {
    expect(configOf(['--ignore-config-path'], {}, files).sources.file).toBeNull();
  });

  it('refuses a --config-path that is not there', () => {
    const error = errorOf(() => configOf(['--config-path=missing.toml'], {}, files));
    expect(error.message).toBe('--config-path: no file at missing.toml');
  });
});

describe('--print-config', () => {
  const files = filesOf({ [`${CWD}/anycable.toml`]: FILE });

  it('prints the merged configuration in the file’s layout, secrets masked', () => {
    const text = printed(['--jwt_secret=cli-jwt-secret'], { ANYCABLE_STREAMS_SECRET: 'env-streams-secret' }, files);
    expect(text).not.toMatch(/file-secret|file-key|cli-jwt-secret|env-streams-secret|redis-pass/);
    const document = parse(text) as Record<string, Record<string, unknown>>;
    expect(document.secret).toBe('***');
    expect(document.broadcast_key).toBe('***');
    expect(document.jwt).toMatchObject({ secret: '***', param: 'token', force: true });
    expect(document.streams).toMatchObject({ secret: '***' });
    expect(document.server).toMatchObject({ host: '0.0.0.0', port: 9000 });
    expect(document.metrics).toMatchObject({ http_path: '/metrics', tags: { region: 'eu', app: 'chat' } });
    expect(document.broadcast_adapters).toEqual(['http', 'redisx']);
    expect(document.redis).toMatchObject({ url: 'redis://:***@redis:6379/1' });
  });

  it('prints what presets set', () => {
    const env = { HEROKU_APP_ID: 'a', HEROKU_DYNO_ID: 'd', PORT: '5000' };
    const document = parse(printed([], env)) as Record<string, Record<string, unknown>>;
    expect(document.server).toMatchObject({ host: '0.0.0.0', port: 5000 });
    expect(document.http_broadcast).toMatchObject({ port: 5000 });
  });

  it('can be read back as the same configuration, secrets aside', () => {
    const text = printed(['--ignore-config-path', '--host=0.0.0.0', '--path=/a,/b', '--metrics_tags=k:v', '--norpc'], {});
    const readBack = withFile(text);
    expect(readBack.server).toMatchObject({ host: '0.0.0.0', paths: ['/a', '/b'] });
    expect(readBack.metrics.tags).toEqual({ k: 'v' });
    expect(readBack.rpc.enabled).toBe(false);
    expect(readBack.sources.warnings).toEqual([]);
  });
});

describe('presets', () => {
  const fly = { FLY_APP_NAME: 'chat', FLY_REGION: 'ams', FLY_ALLOC_ID: 'alloc1' };
  const heroku = { HEROKU_APP_ID: 'id', HEROKU_DYNO_ID: 'dyno', PORT: '3000' };

  it('fly: listens on 0.0.0.0 and takes broadcasts on the main port, HTTP broadcasts only without Redis', () => {
    const config = configOf([], { ...fly, PORT: '8081' });
    expect(config.sources.presets).toEqual(['fly']);
    expect(config.server).toMatchObject({ host: '0.0.0.0', port: 8081 });
    expect(config.broadcast).toMatchObject({ adapters: ['http'], pubsub: 'memory', http: { port: 8081 } });
  });

  it('fly: Redis pub/sub when Redis is configured; the RPC app found by ANYCABLE_FLY_RPC_APP_NAME', () => {
    const config = configOf([], { ...fly, REDIS_URL: 'redis://r:6379', ANYCABLE_FLY_RPC_APP_NAME: 'rails' });
    expect(config.broadcast.pubsub).toBe('redis');
    expect(config.broadcast.adapters).toEqual(['http', 'redis']);
    expect(config.rpc.host).toBe('dns:///ams.rails.internal:50051');
  });

  it('fly: needs FLY_REGION and FLY_APP_NAME when asked for by name', () => {
    expect(errorOf(() => configOf(['--presets=fly'], {})).message).toBe('--presets=fly: FLY_REGION is not set');
  });

  it('heroku: listens on 0.0.0.0 and takes broadcasts on $PORT', () => {
    const config = configOf([], heroku);
    expect(config.sources.presets).toEqual(['heroku']);
    expect(config.server).toMatchObject({ host: '0.0.0.0', port: 3000 });
    expect(config.broadcast.http.port).toBe(3000);
  });

  it('is detected only when every variable anycable-go looks at is set', () => {
    expect(configOf([], { FLY_APP_NAME: 'chat', FLY_REGION: 'ams' }).sources.presets).toEqual([]);
    expect(configOf([], { HEROKU_APP_ID: 'id' }).sources.presets).toEqual([]);
    expect(configOf([], { ...fly, ...heroku }).sources.presets).toEqual(['fly', 'heroku']);
  });

  it('none turns detection off; presets never override what is given', () => {
    expect(configOf(['--presets=none'], heroku).server.host).toBe('localhost');
    expect(configOf([], { ...heroku, ANYCABLE_PRESETS: 'none' }).server.host).toBe('localhost');
    expect(withFile('presets = ["none"]\n', [], heroku).server.host).toBe('localhost');
    const given = configOf(['--host=127.0.0.1', '--http_broadcast_port=9999'], heroku);
    expect(given.server.host).toBe('127.0.0.1');
    expect(given.broadcast.http.port).toBe(9999);
  });

  it('broker: HTTP, redisx and redis broadcasts with Redis pub/sub and the Redis broker, HTTP and the memory broker without Redis', () => {
    const withRedis = configOf(['--presets=broker', '--redis_url=redis://r:6379']);
    expect(withRedis.broadcast).toMatchObject({ adapters: ['http', 'redisx', 'redis'], pubsub: 'redis' });
    expect(withRedis.broker.kind).toBe('redis');
    const standalone = configOf(['--presets=broker']);
    expect(standalone.broadcast).toMatchObject({ adapters: ['http'], pubsub: 'memory' });
    expect(standalone.broker.kind).toBe('memory');
    expect(configOf(['--presets=broker', '--broker=none']).broker.kind).toBe('none');
  });

  it('--broker with NATS between the nodes needs Redis for the shared history', () => {
    expect(() => configOf(['--pubsub=nats', '--broker=memory'])).toThrow(/needs Redis/);
    expect(() => configOf(['--pubsub=nats', '--broker=redis'])).toThrow(/needs Redis/);
    expect(configOf(['--pubsub=nats', '--broker=redis', '--redis_url=redis://r:6379']).broker.kind).toBe('redis');
  });
});

describe('anycable-go options Cableway does not have', () => {
  it('refuses a feature asked for on the command line, in the environment or in the file, saying what to use', () => {
    const flag = errorOf(() => configOf(['--statsd_host=statsd:8125']));
    expect(flag.code).toBe(ErrorCode.ConfigUnsupportedOption);
    expect(flag.message).toBe(
      '--statsd_host is not supported by Cableway: scrape the Prometheus endpoint (--metrics_http=/metrics)',
    );
    expect(errorOf(() => configOf([], { ANYCABLE_EMBED_NATS: 'true' })).message).toMatch(
      /^ANYCABLE_EMBED_NATS is not supported by Cableway: /,
    );
    expect(errorOf(() => withFile('[sse]\nenabled = true\n')).message).toMatch(
      /^\.\/anycable\.toml: sse\.enabled is not supported by Cableway: /,
    );
  });

  it('takes a boolean flag alone without swallowing the next argument', () => {
    expect(errorOf(() => configOf(['--sse', '--host=x'])).message).toMatch(/^--sse is not supported/);
  });

  it('lets a value that asks for nothing pass', () => {
    expect(configOf(['--sse=false'], { ANYCABLE_API_PORT: '0' }).sources.warnings).toEqual([]);
    expect(withFile('[streams]\npubsub_channel = "$pubsub"\n').sources.warnings).toEqual([]);
  });

  it('warns about a tuning knob without counterpart and starts', () => {
    const config = withFile('[ws]\nread_buffer_size = 2048\n', ['--ws_write_timeout=5'], { ANYCABLE_HUB_GOPOOL_SIZE: '32' });
    expect(config.sources.warnings).toEqual([
      expect.stringMatching(/^--ws_write_timeout is not supported by Cableway \(ignored\): .*--ws_max_pending_size/),
      expect.stringMatching(/^ANYCABLE_HUB_GOPOOL_SIZE is not supported by Cableway \(ignored\): /),
      expect.stringMatching(/^\.\/anycable\.toml: ws\.read_buffer_size is not supported by Cableway \(ignored\): /),
    ]);
  });

  it('keeps the two tables apart: no not-supported entry is an option', () => {
    for (const option of UNSUPPORTED_OPTIONS) {
      if (option.flag) expect(Object.keys(gatewayOptions)).not.toContain(normalizeName(option.flag));
      if (option.toml) expect(Object.values(table).map((spec) => spec.toml)).not.toContain(option.toml);
    }
  });
});

/** anycable-go 1.6.16's flags (cli/options.go), every one of which Cableway must recognise. */
const ANYCABLE_GO_FLAGS = `ignore-config-path config-path print-config host port allowed_origins secret broadcast_key public
noauth max-conn path health-path shutdown_timeout shutdown_pool_size shutdown_delay node_id ssl_cert ssl_key broadcast_adapter
broker pubsub redis_channel nats_channel hub_gopool_size history_limit history_ttl sessions_ttl presence_ttl redis_url
redis_sentinels redis_sentinel_discovery_interval redis_keepalive_interval redis_tls_verify redis_tls_ca_cert_path
redis_tls_client_cert_path redis_tls_client_key_path redis_disable_cache redisx_stream redisx_group
redisx_read_block_milliseconds http_broadcast_port http_broadcast_path http_broadcast_secret http_broadcast_cors nats_servers
nats_dont_randomize_servers embed_nats enats_addr enats_cluster enats_cluster_name enats_cluster_routes enats_gateway
enats_gateways enats_gateway_advertise enats_store_dir enats_server_name enats_debug enats_trace enats_max_payload rpc_host
norpc rpc_concurrency rpc_enable_tls rpc_tls_verify rpc_tls_root_ca rpc_max_call_recv_size rpc_max_call_send_size
rpc_request_timeout rpc_command_timeout headers proxy-cookies rpc_impl http_rpc_secret http_rpc_timeout disconnect_mode
disconnect_rate disconnect_backlog_size disconnect_timeout disable_disconnect log_level log_format debug metrics_log
metrics_rotate_interval metrics_log_interval metrics_log_filter metrics_log_formatter metrics_http metrics_host metrics_port
metrics_tags stats_refresh_interval read_buffer_size write_buffer_size max_message_size ws_write_timeout ws_max_pending_size
enable_ws_compression ping_interval ping_timestamp_precision pong_timeout enable_native_pings jwt_id_key jwt_secret
jwt_id_param jwt_param jwt_id_enforce enforce_jwt streams_secret public_streams streams_whisper streams_presence turbo_streams
cable_ready turbo_rails_key turbo_streams_secret turbo_rails_cleartext cable_ready_key cable_ready_secret cable_ready_cleartext
pusher_app_id pusher_secret pusher_app_key pusher_api_port statsd_host statsd_prefix statsd_max_packet_size statsd_tags_format
sse sse_path ds ds_path ds_skip_auth ds_poll_interval ds_sse_ttl api_port api_path api_secret presets`.split(/\s+/);

describe('anycable-go 1.6’s flags', () => {
  it('are 140, each an option, an action or answered as not supported', () => {
    expect(ANYCABLE_GO_FLAGS).toHaveLength(140);
    const actions = ['print_config'];
    const unsupported = UNSUPPORTED_OPTIONS.flatMap((option) => (option.flag ? [option.flag] : []));
    const unanswered = ANYCABLE_GO_FLAGS.map(normalizeName).filter(
      (flag) => !(flag in gatewayOptions) && !actions.includes(flag) && !unsupported.includes(flag),
    );
    expect(unanswered).toEqual([]);
  });

  it('have the same file keys as in anycable-go where Cableway reads them', () => {
    const keys = Object.fromEntries(Object.entries(table).map(([name, spec]) => [name, spec.toml]));
    expect(keys).toMatchObject({
      host: 'server.host',
      path: 'ws.paths',
      secret: 'secret',
      broadcast_adapter: 'broadcast_adapters',
      pubsub: 'pubsub_adapter',
      jwt_secret: 'jwt.secret',
      enforce_jwt: 'jwt.force',
      turbo_streams_secret: 'streams.turbo_secret',
      redis_url: 'redis.url',
      redisx_read_block_milliseconds: 'redis_stream_broadcast.stream_read_block_milliseconds',
      redis_channel: 'redis_pubsub_broadcast.channel',
      http_broadcast_port: 'http_broadcast.port',
      headers: 'rpc.proxy_headers',
      disconnect_rate: 'disconnector.rate',
      log_level: 'logging.level',
      enable_native_pings: 'app.enable_native_ping',
      metrics_tags: 'metrics.tags',
    });
  });
});

describe('small flags', () => {
  it('--metrics_tags takes key:value pairs', () => {
    expect(configOf(['--metrics_tags=region:eu,app:chat']).metrics.tags).toEqual({ region: 'eu', app: 'chat' });
    expect(errorOf(() => configOf(['--metrics_tags=region'])).message).toContain('--metrics_tags: expected key:value');
    expect(errorOf(() => configOf(['--metrics_tags=data-center:eu'])).message).toBe(
      '--metrics_tags: "data-center" is not a Prometheus label name',
    );
  });

  it('--turbo_rails_cleartext and --cable_ready_cleartext are accepted, with a deprecation line and no effect', () => {
    const config = configOf(['--turbo_rails_cleartext', '--cable_ready_cleartext']);
    expect(config.deprecations).toEqual([
      '--turbo_rails_cleartext is deprecated: use public_streams (this flag has no effect)',
      '--cable_ready_cleartext is deprecated: use public_streams (this flag has no effect)',
    ]);
    expect(config.streams).toEqual(configOf([]).streams);
  });

  it('--proxy-cookies and --pong_timeout, --enable_native_pings', () => {
    expect(configOf(['--proxy-cookies=_session_id,locale']).proxyCookies).toEqual(['_session_id', 'locale']);
    expect(configOf(['--pong_timeout=6', '--enable_native_pings']).pong).toEqual({ timeoutSec: 6, nativePings: true });
    expect(configOf([]).pong).toEqual({ timeoutSec: 0, nativePings: false });
  });
});

/** What `anycable-go --print-config` (1.6.16) prints with no options set, its comments left out. */
const ANYCABLE_GO_PRINTED = `
secret = "none"
broadcast_adapters = ["http", "redis"]
broadcast_key = "none"

[server]
host = "localhost"
port = 8080
allowed_origins = ""
health_path = "/health"
[logging]
level = "info"
format = "text"
[rpc]
implementation = ""
host = "localhost:50051"
proxy_headers = ["cookie"]
concurrency = 28
tls_verify = true
tls_root_ca_path = ""
max_recv_size = 0
max_send_size = 0
[broker]
history_ttl = 300
history_limit = 100
sessions_ttl = 300
presence_ttl = 15
[jwt]
secret = ""
param = "jid"
[streams]
pubsub_channel = "$pubsub"
[ws]
paths = ["/cable"]
read_buffer_size = 1024
write_buffer_size = 1024
max_message_size = 65536
write_timeout = 2
max_pending_size = 1048576
[sse]
path = "/events"
[ds]
path = "/ds"
poll_interval = 10
sse_ttl = 60
[api]
port = 0
path = "/api"
[redis]
url = "redis://localhost:6379"
sentinels = ""
sentinel_discovery_interval = 30
keepalive_ping_interval = 30
max_reconnect_attempts = 5
[nats]
servers = "nats://127.0.0.1:4222"
max_reconnect_attempts = 5
[http_broadcast]
port = 8090
path = "/_broadcast"
[redis_stream_broadcast]
stream = "__anycable__"
group = "bx"
stream_read_block_milliseconds = 2000
[redis_pubsub_broadcast]
channel = "__anycable__"
[nats_broadcast]
channel = "__anycable__"
[redis_pubsub]
channel = "__anycable_internal__"
[nats_pubsub]
channel = "__anycable_internal__"
[metrics]
rotate_interval = 15
[app]
ping_interval = 3
ping_timestamp_precision = "s"
disconnect_mode = "auto"
shutdown_timeout = 30
stats_refresh_interval = 5
broadcast_gopool_size = 16
shutdown_disconnect_gopool_size = 16
[disconnector]
rate = 100
backlog = 4096
`;

describe('a file printed by anycable-go', () => {
  it('loads as anycable-go reads it, every key read', () => {
    const config = withFile(ANYCABLE_GO_PRINTED);
    expect(config.server).toMatchObject({ host: 'localhost', port: 8080, paths: ['/cable'], allowedOrigins: [] });
    expect(config.rpc).toMatchObject({ enabled: true, host: 'localhost:50051', concurrency: 28 });
    expect(config.broadcast).toMatchObject({ adapters: ['http', 'redis'], pubsub: 'redis', http: { port: 8090, key: null } });
    expect(config.auth.jwt).toBeNull();
    const unread = config.sources.warnings.map((warning) => /unknown key (\S+)$/.exec(warning)?.[1] ?? warning);
    expect(unread).toEqual([]);
  });
});
