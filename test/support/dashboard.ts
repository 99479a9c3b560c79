import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The Grafana dashboard of deploy/grafana, its queries expanded the way Grafana expands them. */
export interface DashboardTarget {
  readonly refId: string;
  readonly expr: string;
  readonly legendFormat: string;
}

export interface DashboardPanel {
  readonly id: number;
  readonly type: 'timeseries' | 'stat';
  readonly title: string;
  readonly unit: string;
  /** Grafana's 24-column grid. */
  readonly gridPos: { readonly x: number; readonly y: number; readonly w: number; readonly h: number };
  readonly targets: readonly DashboardTarget[];
}

export interface DashboardRow {
  readonly title: string;
  readonly y: number;
}

interface RawPanel {
  id: number;
  type: string;
  title: string;
  gridPos: DashboardPanel['gridPos'];
  fieldConfig?: { defaults?: { unit?: string } };
  targets?: Array<{ refId: string; expr: string; legendFormat?: string }>;
}

export const DASHBOARD_FILE = path.resolve(__dirname, '../../deploy/grafana/dashboards/cableway.json');

function rawPanels(): RawPanel[] {
  return (JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8')) as { panels: RawPanel[] }).panels;
}

export interface Expansion {
  /** The `prefix` variable's value: `cableway_` by default. */
  readonly prefix: string;
  /** What Grafana puts for `$__rate_interval` (at least four scrape intervals). */
  readonly rateInterval: string;
}

export function expandExpression(expr: string, expansion: Expansion): string {
  return expr.replaceAll('${prefix}', expansion.prefix).replaceAll('$__rate_interval', expansion.rateInterval);
}

/** Every panel that shows data, in the dashboard's order, its expressions expanded. */
export function dashboardPanels(expansion: Expansion): DashboardPanel[] {
  return rawPanels()
    .filter((panel) => panel.type !== 'row')
    .map((panel) => ({
      id: panel.id,
      type: panel.type as DashboardPanel['type'],
      title: panel.title,
      unit: panel.fieldConfig?.defaults?.unit ?? 'short',
      gridPos: panel.gridPos,
      targets: (panel.targets ?? []).map((target) => ({
        refId: target.refId,
        expr: expandExpression(target.expr, expansion),
        legendFormat: target.legendFormat ?? '',
      })),
    }));
}

export function dashboardRows(): DashboardRow[] {
  return rawPanels()
    .filter((panel) => panel.type === 'row')
    .map((panel) => ({ title: panel.title, y: panel.gridPos.y }));
}

/** A series' legend, as Grafana renders `{{label}}` in a legend format. */
export function legendOf(format: string, labels: Readonly<Record<string, string>>): string {
  return format.replace(/\{\{\s*(\w+)\s*\}\}/g, (_match, name: string) => labels[name] ?? '');
}
