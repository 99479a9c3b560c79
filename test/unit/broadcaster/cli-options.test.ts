import { resolveCliRequest, broadcastCliOptions } from '../../../broadcaster/src/cli/options';
import { EXIT_BAD_FLAGS, runBroadcastCli } from '../../../broadcaster/src/cli/run';
import { deriveKey } from '../../../broadcaster/src/options';
import { parseOptions } from '../../../shared/src/config/options';

function resolve(argv: string[], env: Record<string, string> = {}) {
  return resolveCliRequest(parseOptions(broadcastCliOptions, argv, env).values);
}

async function exitCode(argv: string[]): Promise<{ code: number; stderr: string[]; stdout: string[] }> {
  const stderr: string[] = [];
  const stdout: string[] = [];
  const code = await runBroadcastCli(argv, {}, { stdout: (l) => stdout.push(l), stderr: (l) => stderr.push(l) });
  return { code, stderr, stdout };
}

describe('cableway-broadcast flags', () => {
  test('default to the http transport on port 8090 without Redis or a key', () => {
    expect(resolve(['--stream=s', '--data=1']).publisher).toEqual({
      transport: 'http',
      url: 'http://localhost:8090/_broadcast',
      key: null,
    });
  });

  test('default to the main port 8080 and the derived key when --secret is given', () => {
    expect(resolve(['--stream=s', '--data=1', '--secret=abc']).publisher).toEqual({
      transport: 'http',
      url: 'http://localhost:8080/_broadcast',
      key: deriveKey('abc', 'broadcast-cable'),
    });
  });

  test('default to the redis transport when REDIS_URL is set', () => {
    expect(resolve(['--stream=s', '--data=1'], { REDIS_URL: 'redis://r:6379' }).publisher).toMatchObject({
      transport: 'redis',
      channel: '__anycable__',
      redis: { urls: ['redis://r:6379'] },
    });
  });

  test("publish on NATS with anycable-go's server and subject defaults, or ANYCABLE_NATS_* settings", () => {
    expect(resolve(['--stream=s', '--data=1', '--transport=nats']).publisher).toEqual({
      transport: 'nats',
      nats: { servers: ['127.0.0.1:4222'], credentials: null, dontRandomize: false, tls: false },
      channel: '__anycable__',
    });
    expect(
      resolve(['--disconnect=u', '--transport=nats'], { ANYCABLE_NATS_SERVERS: 'nats://n1:4333', ANYCABLE_NATS_CHANNEL: 'bus' })
        .publisher,
    ).toMatchObject({ transport: 'nats', nats: { servers: ['n1:4333'] }, channel: 'bus' });
  });

  test.each([
    [['--stream=s', '--data=1', '--bogus'], 'unknown flag --bogus'],
    [['--stream=s'], '--stream and --data are required'],
    [['--stream=s', '--data=not json'], '--data must be JSON'],
    [['--stream=s', '--data=1', '--transport=carrier-pigeon'], '--transport'],
    [['--disconnect=u', '--transport=actioncable'], 'carries no remote commands'],
    [['--disconnect=u', '--stream=s'], 'leave out --stream'],
    [['--stream=s', '--data=1', '--transport=actioncable', '--exclude_socket=x'], '--exclude_socket'],
    [['--stream=s', '--data=1', '--transport=redis', '--redis_url=ftp://x'], '--redis_url'],
    [['--stream=s', '--data=1', '--transport=nats', '--nats_servers=http://x'], '--nats_servers'],
  ])('exit 2 and name the problem for %j', async (argv, problem) => {
    const { code, stderr } = await exitCode(argv);
    expect(code).toBe(EXIT_BAD_FLAGS);
    expect(stderr.join('\n')).toContain(problem);
  });

  test('print the help and exit 0 with --help', async () => {
    const { code, stdout } = await exitCode(['--help']);
    expect(code).toBe(0);
    expect(stdout.join('\n')).toContain('Usage: cableway-broadcast --stream=NAME --data=JSON');
  });
});
