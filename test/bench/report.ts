import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

type Row = Readonly<Record<string, string | number>>;

interface Table {
  readonly title: string;
  readonly note: string | undefined;
  readonly rows: readonly Row[];
}

const tables: Table[] = [];

/** Keeps a printed table for the written report; `note` says how to read it. */
export function record(title: string, rows: readonly Row[], note?: string): void {
  tables.push({ title, note, rows });
}

function markdownTable(rows: readonly Row[]): string {
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const line = (cells: readonly (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(columns), line(columns.map(() => '---')), ...rows.map((row) => line(columns.map((c) => row[c] ?? '')))].join('\n');
}

/** Writes every recorded table to docs/benchmarks.md with the machine, command and date of the run. */
export function writeReport(command: string): string {
  const file = path.resolve(__dirname, '../../docs/benchmarks.md');
  const cpus = os.cpus();
  const lines = [
    '# Benchmarks',
    '',
    'Written by `npm run bench`. Servers, load clients and the RPC server share one machine, so absolute figures',
    'move between runs: read the ratios to the bare uWebSockets.js reference server measured in the same run.',
    'Server CPU is user + system time of the server process from /proc, in 10 ms ticks summed over each round.',
    '',
    `- Machine: ${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ${os.type()} ${os.release()}`,
    `- Node: ${process.version}`,
    `- Command: \`${command}\``,
    `- Date: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
  ];
  for (const table of tables) {
    lines.push('', `## ${table.title}`, '');
    if (table.note) lines.push(table.note, '');
    lines.push(markdownTable(table.rows));
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}
