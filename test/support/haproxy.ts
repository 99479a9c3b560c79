import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './ports';
import { waitFor } from './wait';

const CONFIG = path.resolve(__dirname, '../../deploy/haproxy/haproxy.cfg');

/** A real HAProxy running the repo's deploy config. */
export interface Haproxy {
  readonly pid: number;
  /** Frontend ports by the port the config binds (8080, 8090, 8404). */
  port(configured: number): number;
  /** Status of every server (`UP`, `DOWN`, `MAINT`...) by `backend/server`, from the stats page. */
  serverStatus(): Promise<Record<string, string>>;
  stop(): Promise<void>;
}

/**
 * Starts `haproxy` with deploy/haproxy/haproxy.cfg, changing nothing but addresses: each `bind :PORT` on a
 * free port of 127.0.0.1, and each server `name:port` listed in `servers` (e.g. `node1:8080`) to the
 * `host:port` given. Servers not listed keep their names (which do not resolve here).
 */
export async function startHaproxy(servers: Readonly<Record<string, string>>): Promise<Haproxy> {
  const ports = new Map<number, number>();
  let config = readFileSync(CONFIG, 'utf8');
  for (const match of config.matchAll(/^\s*bind :(\d+)$/gm)) ports.set(Number(match[1]), await freePort());
  config = config.replace(
    /^(\s*bind) :(\d+)$/gm,
    (_line, bind: string, port: string) => `${bind} 127.0.0.1:${ports.get(Number(port))}`,
  );
  for (const [name, address] of Object.entries(servers)) {
    const pattern = new RegExp(`^(\\s*server \\S+) ${name}(\\s|$)`, 'gm');
    if (!pattern.test(config)) throw new Error(`no server ${name} in ${CONFIG}`);
    config = config.replace(pattern, `$1 ${address}$2`);
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'cableway-haproxy-'));
  const file = path.join(dir, 'haproxy.cfg');
  writeFileSync(file, config);

  const child: ChildProcess = spawn('haproxy', ['-f', file, '-db'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    // Debian installs it in /usr/sbin, which a non-root PATH may lack.
    env: { ...process.env, PATH: `${process.env.PATH ?? ''}:/usr/sbin` },
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const killOnExit = () => child.pid && child.exitCode === null && process.kill(child.pid, 'SIGKILL');
  process.on('exit', killOnExit);

  const port = (configured: number) => {
    const actual = ports.get(configured);
    if (actual === undefined) throw new Error(`the HAProxy config binds no port ${configured}`);
    return actual;
  };
  const serverStatus = async () => {
    const csv = await (await fetch(`http://127.0.0.1:${port(8404)}/;csv`)).text();
    const [header, ...rows] = csv.trim().split('\n');
    const columns = header!.replace(/^# /, '').split(',');
    const status: Record<string, string> = {};
    for (const row of rows) {
      const fields = row.split(',');
      const record = Object.fromEntries(columns.map((column, index) => [column, fields[index] ?? '']));
      if (record.svname !== 'FRONTEND' && record.svname !== 'BACKEND')
        status[`${record.pxname}/${record.svname}`] = record.status!;
    }
    return status;
  };
  try {
    await waitFor(async () => {
      if (child.exitCode !== null) throw new Error(`haproxy exited with ${child.exitCode}:\n${output}`);
      try {
        return Object.keys(await serverStatus()).length > 0;
      } catch {
        return false;
      }
    }, 'HAProxy to serve its stats page');
  } catch (error) {
    killOnExit();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    pid: child.pid!,
    port,
    serverStatus,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      process.off('exit', killOnExit);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
