import { jwtVerify } from 'jose';
import { runBroadcastCli } from '../../../broadcaster/src/cli/run';
import vectors from '../../fixtures/rails-vectors.json';

async function run(argv: string[]): Promise<{ code: number; stdout: string[]; stderr: string[] }> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await runBroadcastCli(argv, {}, { stdout: (line) => stdout.push(line), stderr: (line) => stderr.push(line) });
  return { code, stdout, stderr };
}

describe('cableway-broadcast credentials', () => {
  it('prints an identification token that carries the identifiers verbatim in ext', async () => {
    const { code, stdout } = await run(['--token={"user_id":42}', '--jwt_secret=k3y', '--jwt_ttl=60']);
    expect(code).toBe(0);
    const { payload, protectedHeader } = await jwtVerify(stdout[0]!, new TextEncoder().encode('k3y'));
    expect(protectedHeader).toEqual({ alg: 'HS256' });
    expect(payload.ext).toBe('{"user_id":42}');
    expect(payload.exp! - Date.now() / 1000).toBeGreaterThan(50);
  });

  it('signs a stream name exactly as turbo-rails does', async () => {
    const vector = vectors.signed_streams.find((candidate) => candidate.name === 'turbo chat/1')!;
    const { code, stdout } = await run([`--sign_stream=${vector.stream}`, `--secret=${vector.key}`]);
    expect(code).toBe(0);
    expect(stdout).toEqual([vector.signed]);
  });

  it('refuses a token without a secret, or identifiers that are not JSON, with exit code 2', async () => {
    expect((await run(['--token={"user_id":42}'])).code).toBe(2);
    expect((await run(['--token=user 42', '--secret=s'])).code).toBe(2);
  });
});
