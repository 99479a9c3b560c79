import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { freePort } from '../support/ports';

/**
 * Node options for a scenario's node: with BENCH_CPU_PROF_DIR=<dir>, it writes its CPU profile there when
 * it stops.
 */
export function profilingArgs(): string[] {
  const directory = process.env.BENCH_CPU_PROF_DIR;
  return directory ? ['--cpu-prof', `--cpu-prof-dir=${directory}`] : [];
}

/** Starts the bare uWS reference server in its own process and resolves with its port. */
export async function startReferenceServer(): Promise<{ port: number; pid: number; stop: () => void }> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(__dirname, 'reference-server.ts'), String(port)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('listening')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`reference server exited with ${code}`)));
  });
  return { port, pid: child.pid!, stop: () => void child.kill('SIGKILL') };
}

/**
 * Runs the node's own RPC transport alone in a process of its own (`rpc-client-alone.ts`) and resolves
 * with its CPU seconds per Command call.
 */
export async function rpcClientAloneCpu(
  kind: 'grpc' | 'http' | 'http2',
  target: string,
  secret: string,
  warmup: number,
  count: number,
): Promise<number> {
  const script = path.join(__dirname, 'rpc-client-alone.ts');
  const args = ['--import', 'tsx', script, kind, target, secret, String(warmup), String(count)];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`rpc-client-alone exited with ${code}`);
  return (JSON.parse(output) as { cpuPerCallUs: number }).cpuPerCallUs / 1e6;
}

/** CPU seconds a process has used so far (user + system), from /proc. */
export async function cpuSeconds(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks / 100;
}

/** Resident memory of a process in bytes, from /proc. */
export async function residentBytes(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const line = (await readFile(`/proc/${pid}/status`, 'utf8')).split('\n').find((entry) => entry.startsWith('VmRSS:'))!;
  return Number(line.replace(/\D+/g, '')) * 1024;
}
