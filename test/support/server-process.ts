import { spawn, type ChildProcess } from 'node:child_process';
import { waitFor } from './wait';

/** Every server still running when the test process exits is killed with it. */
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) if (child.pid) process.kill(child.pid, 'SIGKILL');
});

export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Sends `name` unless the process has already ended, and waits for it to exit. */
export async function signal(child: ChildProcess, name: NodeJS.Signals): Promise<void> {
  if (child.pid && child.exitCode === null && child.signalCode === null) process.kill(child.pid, name);
  await exited(child);
}

/**
 * Runs a server of this test run and resolves once `ready` says so; fails with its output if it exits
 * first (or is killed if it never gets ready).
 */
export async function spawnReady(
  command: string,
  args: readonly string[],
  ready: () => Promise<boolean>,
  what: string,
): Promise<ChildProcess> {
  const child = spawn(command, [...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.once('exit', () => running.delete(child));
  try {
    await waitFor(async () => {
      if (child.exitCode !== null) throw new Error(`${what} exited:\n${output}`);
      return ready();
    }, `${what} to be ready`);
  } catch (error) {
    if (child.pid) process.kill(child.pid, 'SIGKILL');
    throw error;
  }
  return child;
}
