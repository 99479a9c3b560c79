import { execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './ports';
import { exited, signal, spawnReady } from './server-process';
import { waitFor } from './wait';

const run = promisify(execFile);

/** A `redis-server` process of this test run on 127.0.0.1. */
export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** Of the running process (changes on restart). */
  readonly pid: number;
  /** SIGTERM, and waits for the process to exit. */
  stop(): Promise<void>;
  /** SIGKILL, as a crash would; waits for the process to exit. */
  kill(): Promise<void>;
  /** Starts it again on the same port (empty: nothing is persisted), once it has stopped or been killed. */
  restart(): Promise<void>;
}

export interface RedisCluster {
  /** One `redis://` URL per master. */
  readonly urls: readonly string[];
  readonly servers: readonly RedisServer[];
  stop(): Promise<void>;
}

/** Sends one command with `redis-cli` and answers its output. */
export async function redisCli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args]);
  return stdout.trim();
}

async function answersPing(port: number): Promise<boolean> {
  try {
    return (await redisCli(port, 'PING')) === 'PONG';
  } catch {
    return false;
  }
}

async function launch(port: number, args: readonly string[]): Promise<ChildProcess> {
  return spawnAnswering(port, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...args]);
}

/** Runs `redis-server` with `args` and resolves once it answers PING on `port`. */
function spawnAnswering(port: number, args: readonly string[]): Promise<ChildProcess> {
  return spawnReady('redis-server', args, () => answersPing(port), `redis-server on port ${port}`);
}

async function startOn(port: number, args: readonly string[]): Promise<RedisServer> {
  let child = await launch(port, args);
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    get pid() {
      return child.pid!;
    },
    stop: () => signal(child, 'SIGTERM'),
    kill: () => signal(child, 'SIGKILL'),
    async restart() {
      await exited(child);
      child = await launch(port, args);
    },
  };
}

/** Starts `redis-server` on a free port and waits until it answers PING. */
export async function startRedisServer(args: readonly string[] = []): Promise<RedisServer> {
  return startOn(await freePort(), args);
}

async function clusterIsOk(port: number): Promise<boolean> {
  const info = await redisCli(port, 'CLUSTER', 'INFO');
  return info.includes('cluster_state:ok') && info.includes('cluster_slots_ok:16384');
}

/** `masters` cluster-enabled servers (no replicas) joined into one Redis Cluster covering every slot. */
export async function startRedisCluster(masters = 3): Promise<RedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'cableway-redis-cluster-'));
  const servers: RedisServer[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(servers.map((server) => server.stop()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < masters; i += 1) {
      const busPort = await freePort();
      servers.push(
        await startRedisServer([
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          join(dir, `nodes-${i}.conf`),
          '--cluster-port',
          String(busPort),
          '--dir',
          dir,
        ]),
      );
    }
    await run('redis-cli', [
      '--cluster',
      'create',
      ...servers.map((server) => `127.0.0.1:${server.port}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ]);
    for (const server of servers) await waitFor(() => clusterIsOk(server.port), `cluster state ok on port ${server.port}`);
  } catch (error) {
    await stop();
    throw error;
  }
  return { urls: servers.map((server) => server.url), servers, stop };
}

export interface RedisSentinel {
  readonly port: number;
  stop(): Promise<void>;
}

/** A Sentinel monitoring `master` under `name`, once it reports the master's address. */
export async function startRedisSentinel(master: RedisServer, name: string): Promise<RedisSentinel> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'cableway-redis-sentinel-'));
  const config = join(dir, 'sentinel.conf');
  writeFileSync(config, [`port ${port}`, 'bind 127.0.0.1', `sentinel monitor ${name} 127.0.0.1 ${master.port} 1`, ''].join('\n'));
  const child = await spawnAnswering(port, [config, '--sentinel']);
  await waitFor(
    async () => (await redisCli(port, 'SENTINEL', 'get-master-addr-by-name', name)).includes(String(master.port)),
    `the sentinel to know ${name}`,
  );
  return {
    port,
    async stop() {
      await signal(child, 'SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
