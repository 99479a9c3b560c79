import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { Agent, fetch as undiciFetch } from 'undici';
import { freePort } from './ports';
import { waitFor } from './wait';

const MAIN = path.resolve(__dirname, '../../dist/gateway/src/main.js');
const ROOT = path.resolve(__dirname, '../..');

export type Flags = Readonly<Record<string, string | number | boolean>>;

/** A Cableway node running as its own process, as operators run it. */
export interface GatewayProcess {
  readonly pid: number;
  readonly port: number;
  readonly broadcastPort: number;
  /** ws://127.0.0.1:<port>/cable (wss:// with --ssl_cert) */
  readonly url: string;
  readonly httpUrl: string;
  readonly broadcastUrl: string;
  readonly output: string[];
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  readonly exited: Promise<number | null>;
}

function toArgs(flags: Flags): string[] {
  return Object.entries(flags).map(([name, value]) => `--${name}=${value}`);
}

/** Where a node process runs; its working directory decides which ./anycable.toml it finds. */
export interface LaunchOptions {
  readonly cwd?: string;
  /** Options for node itself, before the script (`--cpu-prof`, `--heapsnapshot-signal`). */
  readonly nodeArgs?: readonly string[];
}

/** Runs the compiled CLI with arguments, to completion (for --help, bad flags). */
export function runCli(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
  { cwd }: LaunchOptions = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { env: { PATH: process.env.PATH, ...env }, cwd });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

function watchExit(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}

/** Readiness probes of a TLS node do not check its certificate: the tests do that with their clients. */
const UNVERIFIED_TLS = new Agent({ connect: { rejectUnauthorized: false } });

interface Launch extends LaunchOptions {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly port: number;
  readonly broadcastPort: number;
  readonly healthPath: string;
  /** Served over TLS (wss://, https://). */
  readonly tls: boolean;
  /** Its own process group, stopped as a whole (npm runs the node as a grandchild). */
  readonly group: boolean;
}

/** Spawns a node and resolves once it answers its health path. */
async function launch(spec: Launch): Promise<GatewayProcess> {
  const { port, broadcastPort } = spec;
  const child = spawn(spec.command, [...spec.args], {
    cwd: spec.cwd ?? ROOT,
    env: { PATH: process.env.PATH, ...spec.env },
    detached: spec.group,
  });
  const output: string[] = [];
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line !== '') output.push(line);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = watchExit(child);

  const waitForOutput = (pattern: RegExp, timeoutMs = 10_000) =>
    waitFor(() => output.find((line) => pattern.test(line)), `output matching ${pattern}`, timeoutMs);

  const [ws, http] = spec.tls ? ['wss', 'https'] : ['ws', 'http'];
  const started = waitFor(
    async () => {
      try {
        const url = `${http}://127.0.0.1:${port}${spec.healthPath}`;
        return (await (spec.tls ? undiciFetch(url, { dispatcher: UNVERIFIED_TLS }) : fetch(url))).ok;
      } catch {
        return false;
      }
    },
    'the node to answer its health path',
    15_000,
  );
  const failed = exited.then((code) => {
    throw new Error(`gateway exited with ${code} before starting:\n${output.join('\n')}`);
  });
  await Promise.race([started, failed]);
  failed.catch(() => undefined);

  return {
    pid: child.pid!,
    port,
    broadcastPort,
    url: `${ws}://127.0.0.1:${port}/cable`,
    httpUrl: `${http}://127.0.0.1:${port}`,
    broadcastUrl: `${http}://127.0.0.1:${broadcastPort}/_broadcast`,
    output,
    waitForOutput,
    exited,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) {
        if (spec.group) process.kill(-child.pid!, signal);
        else child.kill(signal);
      }
      return exited;
    },
  };
}

/**
 * Starts a node on free ports of 127.0.0.1 and resolves once it answers its health path. Flags override
 * the defaults given here; `env` is the whole environment besides PATH (no ANYCABLE_* leaks in). With
 * `ssl_cert` its URLs are wss:// and https://.
 */
export async function startGateway(
  flags: Flags = {},
  env: NodeJS.ProcessEnv = {},
  options: LaunchOptions = {},
): Promise<GatewayProcess> {
  const port = Number(flags.port ?? (await freePort()));
  const broadcastPort = Number(flags.http_broadcast_port ?? (await freePort()));
  const all: Flags = { host: '127.0.0.1', port, http_broadcast_port: broadcastPort, log_level: 'debug', ...flags };
  return launchGateway(toArgs(all), env, {
    ...options,
    port,
    broadcastPort,
    healthPath: String(all.health_path ?? '/health'),
    tls: Boolean(all.ssl_cert),
  });
}

/**
 * Starts a node with exactly these arguments (its ports and health path then come from elsewhere, such as
 * its anycable.toml) and resolves once it answers on `port`.
 */
export async function launchGateway(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  options: LaunchOptions & {
    readonly port: number;
    readonly broadcastPort: number;
    readonly healthPath?: string;
    readonly tls?: boolean;
  },
): Promise<GatewayProcess> {
  return launch({
    command: process.execPath,
    args: [...(options.nodeArgs ?? []), MAIN, ...args],
    env,
    port: options.port,
    broadcastPort: options.broadcastPort,
    healthPath: options.healthPath ?? '/health',
    tls: options.tls ?? false,
    cwd: options.cwd,
    group: false,
  });
}

/**
 * Runs a node through one of the package's npm scripts (`start`, `demo`), configured by the environment
 * only, as a hosting platform runs it: `env` plus the listening address on free ports. Pre-scripts (the
 * build) are skipped: the tests run the `dist/` built before them.
 */
export async function startNpmScript(script: string, env: NodeJS.ProcessEnv = {}): Promise<GatewayProcess> {
  const port = await freePort();
  const broadcastPort = env.ANYCABLE_BROADCAST_KEY || env.ANYCABLE_SECRET ? port : await freePort();
  return launch({
    command: 'npm',
    args: ['run', '--silent', '--ignore-scripts', script],
    env: {
      HOME: process.env.HOME,
      ANYCABLE_HOST: '127.0.0.1',
      PORT: String(port),
      ...(broadcastPort === port ? {} : { ANYCABLE_HTTP_BROADCAST_PORT: String(broadcastPort) }),
      ...env,
    },
    port,
    broadcastPort,
    healthPath: '/health',
    tls: false,
    group: true,
  });
}

/** POSTs a publication to a node's broadcast endpoint; resolves with the HTTP status. */
export async function postBroadcast(url: string, body: unknown, key?: string): Promise<number> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (key) headers.Authorization = `Bearer ${key}`;
  const response = await fetch(url, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
  await response.arrayBuffer();
  return response.status;
}

/** Reads one metric's value from a node's Prometheus endpoint (0 when absent). */
export async function metricValue(httpUrl: string, name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`${httpUrl}/metrics`)).text();
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name}${labels} `));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}
