import { execFile } from 'node:child_process';

export interface ToolResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs an installed command line tool to completion (Debian puts some of them in /usr/sbin). */
export function runTool(command: string, args: readonly string[], options: { cwd?: string } = {}): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { cwd: options.cwd, env: { ...process.env, PATH: `${process.env.PATH}:/usr/sbin` }, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') return reject(error);
        resolve({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr });
      },
    );
  });
}
