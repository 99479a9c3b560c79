import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { freePort } from './ports';
import { exited, signal, spawnReady } from './server-process';

/** Debian installs it in /usr/sbin, which is not on every user's PATH. */
const NATS_SERVER = existsSync('/usr/sbin/nats-server') ? '/usr/sbin/nats-server' : 'nats-server';

/** A `nats-server` process of this test run on 127.0.0.1, with its monitoring port. */
export interface NatsServer {
  readonly port: number;
  /** nats://127.0.0.1:<port> */
  readonly url: string;
  readonly monitorPort: number;
  /** Of the running process (changes on restart). */
  readonly pid: number;
  /** The subjects clients subscribe right now, one entry per subscription (from `/subsz`, without `$SYS`). */
  subjects(): Promise<string[]>;
  /** SIGTERM, and waits for the process to exit. */
  stop(): Promise<void>;
  /** SIGKILL, as a crash would; waits for the process to exit. */
  kill(): Promise<void>;
  /** Starts it again on the same ports, once it has stopped or been killed. */
  restart(): Promise<void>;
}

async function healthy(monitorPort: number): Promise<boolean> {
  try {
    return (await fetch(`http://127.0.0.1:${monitorPort}/healthz`)).ok;
  } catch {
    return false;
  }
}

/** Runs `nats-server` and resolves once its monitoring port reports it healthy. */
function launch(port: number, monitorPort: number, args: readonly string[]): Promise<ChildProcess> {
  const serverArgs = ['-a', '127.0.0.1', '-p', String(port), '-m', String(monitorPort), ...args];
  return spawnReady(NATS_SERVER, serverArgs, () => healthy(monitorPort), `nats-server on port ${port}`);
}

interface Subsz {
  readonly subscriptions_list?: ReadonlyArray<{ readonly subject: string }>;
}

/** Starts `nats-server` on free ports (`args`: further flags, e.g. `--user`/`--pass`). */
export async function startNatsServer(args: readonly string[] = []): Promise<NatsServer> {
  const port = await freePort();
  const monitorPort = await freePort();
  let child = await launch(port, monitorPort, args);
  return {
    port,
    url: `nats://127.0.0.1:${port}`,
    monitorPort,
    get pid() {
      return child.pid!;
    },
    async subjects() {
      const response = await fetch(`http://127.0.0.1:${monitorPort}/subsz?subs=1&limit=100000`);
      const body = (await response.json()) as Subsz;
      return (body.subscriptions_list ?? [])
        .map((subscription) => subscription.subject)
        .filter((subject) => !subject.startsWith('$SYS.'));
    },
    stop: () => signal(child, 'SIGTERM'),
    kill: () => signal(child, 'SIGKILL'),
    async restart() {
      await exited(child);
      child = await launch(port, monitorPort, args);
    },
  };
}
