import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports';
import { waitFor } from './wait';

/** A real Prometheus server (the Debian package's binary) of this test run, on 127.0.0.1. */
export interface PrometheusServer {
  readonly url: string;
  readonly pid: number;
  /** An instant query; resolves with the result vector. */
  query(expr: string): Promise<InstantSample[]>;
  /** A range query from `start` to `end` (Unix seconds). */
  queryRange(expr: string, start: number, end: number, stepSec: number): Promise<RangeSeries[]>;
  /** Every alerting rule with its state (`inactive`, `pending` or `firing`). */
  alertRules(): Promise<AlertRule[]>;
  stop(): Promise<void>;
}

export interface InstantSample {
  readonly metric: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface RangeSeries {
  readonly metric: Readonly<Record<string, string>>;
  /** [Unix seconds, value]; NaN where the expression had no defined value. */
  readonly values: ReadonlyArray<readonly [number, number]>;
}

export interface AlertRule {
  readonly name: string;
  readonly state: 'inactive' | 'pending' | 'firing';
  readonly alerts: ReadonlyArray<{ readonly labels: Readonly<Record<string, string>>; readonly state: string }>;
}

export interface PrometheusOptions {
  /** `host:port` of every node to scrape, as job `cableway` (the job the alert rules name). */
  readonly targets: readonly string[];
  readonly ruleFiles: readonly string[];
  /** Scrape and rule evaluation interval, short so that a test sees its workload within seconds. */
  readonly intervalSec?: number;
}

interface ApiAnswer<T> {
  readonly status: 'success' | 'error';
  readonly data: T;
  readonly error?: string;
}

async function api<T>(url: string): Promise<T> {
  const answer = (await (await fetch(url)).json()) as ApiAnswer<T>;
  if (answer.status !== 'success') throw new Error(`Prometheus: ${answer.error ?? 'error'} (${url})`);
  return answer.data;
}

export async function startPrometheus(options: PrometheusOptions): Promise<PrometheusServer> {
  const dir = mkdtempSync(join(tmpdir(), 'cableway-prometheus-'));
  const interval = `${options.intervalSec ?? 1}s`;
  const config = join(dir, 'prometheus.yml');
  writeFileSync(
    config,
    JSON.stringify({
      global: { scrape_interval: interval, scrape_timeout: interval, evaluation_interval: interval },
      rule_files: options.ruleFiles,
      scrape_configs: [{ job_name: 'cableway', metrics_path: '/metrics', static_configs: [{ targets: options.targets }] }],
    }),
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    'prometheus',
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, 'SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`prometheus exited:\n${output}`);
        try {
          return (await fetch(`${url}/-/ready`)).ok;
        } catch {
          return false;
        }
      },
      'prometheus to be ready',
      30_000,
    );
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    url,
    pid: child.pid!,
    async query(expr) {
      const data = await api<{ result: Array<{ metric: Record<string, string>; value: [number, string] }> }>(
        `${url}/api/v1/query?query=${encodeURIComponent(expr)}`,
      );
      return data.result.map((sample) => ({ metric: sample.metric, value: Number(sample.value[1]) }));
    },
    async queryRange(expr, start, end, stepSec) {
      const params = new URLSearchParams({ query: expr, start: String(start), end: String(end), step: String(stepSec) });
      const data = await api<{ result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }> }>(
        `${url}/api/v1/query_range?${params}`,
      );
      return data.result.map((series) => ({
        metric: series.metric,
        values: series.values.map(([time, value]) => [time, Number(value)] as const),
      }));
    },
    async alertRules() {
      const data = await api<{ groups: Array<{ rules: Array<AlertRule & { type: string }> }> }>(`${url}/api/v1/rules?type=alert`);
      return data.groups.flatMap((group) =>
        group.rules.map((rule) => ({ name: rule.name, state: rule.state, alerts: rule.alerts })),
      );
    },
    stop,
  };
}
