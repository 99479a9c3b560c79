import { record } from './report';

/** Summary statistics for benchmark samples (milliseconds unless said otherwise). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export interface Summary {
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? NaN,
  };
}

export function formatMs(value: number): string {
  return `${value.toFixed(value < 10 ? 2 : 1)} ms`;
}

export function printTable(title: string, rows: ReadonlyArray<Readonly<Record<string, string | number>>>, note?: string): void {
  console.log(`\n${title}`);
  console.table(rows);
  record(title, rows, note);
}

/** `value` as a multiple of the reference's, as the tables print it. */
export function ratio(value: number, reference: number): string {
  return `${(value / reference).toFixed(2)}×`;
}
