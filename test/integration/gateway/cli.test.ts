import { runCli, startGateway } from '../../support/gateway';

describe('the cableway command', () => {
  it('prints every flag with --help and exits 0', async () => {
    const { code, stdout } = await runCli(['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('--rpc_host');
    expect(stdout).toContain('ANYCABLE_BROADCAST_ADAPTER');
  });

  it('exits 2 with a clear error on an unknown flag', async () => {
    const { code, stderr } = await runCli(['--rpc-hots=localhost:50051']);
    expect(code).toBe(2);
    expect(stderr).toContain('unknown flag --rpc-hots');
  });

  it('names unknown ANYCABLE_* variables in one warning at start', async () => {
    const gateway = await startGateway({ norpc: true }, { ANYCABLE_JWT_SECERT: 'typo', ANYCABLE_JWT_SECRET: 'right' });
    const warnings = gateway.output.filter((line) => line.includes('WRN Unknown environment variables'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('ANYCABLE_JWT_SECERT');
    expect(warnings[0]).not.toContain('ANYCABLE_JWT_SECRET');
    expect(await gateway.stop()).toBe(0);
  });

  it('exits 2 with a clear error on a bad value in the environment', async () => {
    const { code, stderr } = await runCli([], { ANYCABLE_PORT: 'http' });
    expect(code).toBe(2);
    expect(stderr).toContain('ANYCABLE_PORT');
  });

  it('exits 1 and says why when the port is taken', async () => {
    const { createServer } = await import('node:net');
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const { code, stdout } = await runCli(['--host=127.0.0.1', `--port=${port}`, '--norpc']);
    server.close();
    expect(code).toBe(1);
    expect(stdout).toContain(`cannot listen on 127.0.0.1:${port}`);
  });
});
