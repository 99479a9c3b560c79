import { createCanvas, type SKRSContext2D } from '@napi-rs/canvas';
import type { DashboardPanel, DashboardRow } from '../../test/support/dashboard';

/**
 * Draws the Grafana dashboard's panels, laid out on Grafana's grid in its dark theme, from query results:
 * time series as lines with a legend, stat panels as their last value.
 */
export interface PanelSeries {
  readonly name: string;
  readonly points: ReadonlyArray<readonly [number, number]>;
}

export interface PanelData {
  readonly panel: DashboardPanel;
  readonly series: readonly PanelSeries[];
}

const WIDTH = 1600;
const COLUMN = WIDTH / 24;
const ROW = 30;
const GAP = 8;
const FONT = 'DejaVu Sans';
const THEME = { page: '#111217', panel: '#181b1f', border: '#2c3235', text: '#ccccdc', dim: '#8e8e9e', grid: '#23262b' };
const PALETTE = ['#73bf69', '#f2cc0c', '#8ab8ff', '#ff780a', '#f2495c', '#5794f2', '#b877d9', '#37872d', '#fade2a'];

const SCALES: ReadonlyArray<readonly [number, string]> = [
  [1e9, 'G'],
  [1e6, 'M'],
  [1e3, 'k'],
];
const BYTES: ReadonlyArray<readonly [number, string]> = [
  [1024 ** 3, ' GiB'],
  [1024 ** 2, ' MiB'],
  [1024, ' KiB'],
];

/** `value` in the largest of `steps` it reaches (`1.5k`, `12 MiB`), else as is with `unscaled` after it. */
function scaled(value: number, steps: ReadonlyArray<readonly [number, string]>, unscaled = ''): string {
  const step = steps.find(([size]) => Math.abs(value) >= size);
  const shown = step ? value / step[0] : value;
  const digits = Math.abs(shown) >= 10 || Number.isInteger(shown) ? 0 : 2;
  return `${Number(shown.toFixed(digits))}${step ? step[1] : unscaled}`;
}

/** A value as Grafana shows it for the panel's unit. */
export function formatValue(unit: string, value: number): string {
  if (!Number.isFinite(value)) return '-';
  switch (unit) {
    case 'percentunit':
      return `${(value * 100).toFixed(1)}%`;
    case 's':
      if (value !== 0 && Math.abs(value) < 1) return `${Number((value * 1000).toFixed(value < 0.01 ? 2 : 0))} ms`;
      return `${Number(value.toFixed(2))} s`;
    case 'bytes':
      return scaled(value, BYTES, ' B');
    case 'Bps':
      return `${scaled(value, BYTES, ' B')}/s`;
    case 'ops':
      return `${scaled(value, SCALES)} ops/s`;
    default:
      return scaled(value, SCALES);
  }
}

function panelBox(panel: DashboardPanel) {
  return {
    x: panel.gridPos.x * COLUMN + GAP / 2,
    y: panel.gridPos.y * ROW + GAP / 2,
    w: panel.gridPos.w * COLUMN - GAP,
    h: panel.gridPos.h * ROW - GAP,
  };
}

function drawFrame(context: SKRSContext2D, panel: DashboardPanel): ReturnType<typeof panelBox> {
  const box = panelBox(panel);
  context.fillStyle = THEME.panel;
  context.strokeStyle = THEME.border;
  context.lineWidth = 1;
  context.beginPath();
  context.roundRect(box.x, box.y, box.w, box.h, 3);
  context.fill();
  context.stroke();
  context.fillStyle = THEME.text;
  context.font = `bold 13px "${FONT}"`;
  context.textBaseline = 'top';
  context.fillText(panel.title, box.x + 10, box.y + 9, box.w - 20);
  return box;
}

function finitePoints(series: PanelSeries): Array<readonly [number, number]> {
  return series.points.filter(([, value]) => Number.isFinite(value));
}

function drawStat(context: SKRSContext2D, { panel, series }: PanelData): void {
  const box = drawFrame(context, panel);
  const last = series.flatMap(finitePoints).pop();
  context.fillStyle = PALETTE[0]!;
  context.font = `bold 44px "${FONT}"`;
  context.textAlign = 'center';
  context.textBaseline = 'middle';
  context.fillText(last ? formatValue(panel.unit, last[1]) : 'No data', box.x + box.w / 2, box.y + box.h / 2 + 8);
  context.textAlign = 'left';
}

function drawTimeseries(context: SKRSContext2D, { panel, series }: PanelData): void {
  const box = drawFrame(context, panel);
  const legendLines = Math.min(series.length, 4);
  const plot = { x: box.x + 62, y: box.y + 34, w: box.w - 74, h: box.h - 34 - 22 - legendLines * 16 };
  const points = series.flatMap(finitePoints);
  if (points.length === 0) {
    context.fillStyle = THEME.dim;
    context.font = `13px "${FONT}"`;
    context.fillText('No data', plot.x + plot.w / 2 - 25, plot.y + plot.h / 2);
    return;
  }
  const times = points.map(([time]) => time);
  const values = points.map(([, value]) => value);
  const [t0, t1] = [Math.min(...times), Math.max(...times)];
  const low = Math.min(0, ...values);
  const high = Math.max(...values) > low ? Math.max(...values) * 1.1 : low + 1;
  const xOf = (time: number) => plot.x + ((time - t0) / Math.max(t1 - t0, 1)) * plot.w;
  const yOf = (value: number) => plot.y + plot.h - ((value - low) / (high - low)) * plot.h;

  context.font = `11px "${FONT}"`;
  context.textBaseline = 'middle';
  for (let tick = 0; tick <= 4; tick += 1) {
    const value = low + ((high - low) * tick) / 4;
    const y = yOf(value);
    context.strokeStyle = THEME.grid;
    context.beginPath();
    context.moveTo(plot.x, y);
    context.lineTo(plot.x + plot.w, y);
    context.stroke();
    context.fillStyle = THEME.dim;
    context.textAlign = 'right';
    context.fillText(formatValue(panel.unit, value), plot.x - 6, y, 56);
  }
  context.textBaseline = 'top';
  for (let tick = 0; tick <= 4; tick += 1) {
    const time = t0 + ((t1 - t0) * tick) / 4;
    context.textAlign = tick === 0 ? 'left' : tick === 4 ? 'right' : 'center';
    context.fillText(new Date(time * 1000).toISOString().slice(11, 19), xOf(time), plot.y + plot.h + 4);
  }
  context.textAlign = 'left';

  series.forEach((one, index) => {
    const color = PALETTE[index % PALETTE.length]!;
    context.strokeStyle = color;
    context.lineWidth = 1.5;
    context.beginPath();
    let drawing = false;
    for (const [time, value] of one.points) {
      if (!Number.isFinite(value)) {
        drawing = false;
        continue;
      }
      if (drawing) context.lineTo(xOf(time), yOf(value));
      else context.moveTo(xOf(time), yOf(value));
      drawing = true;
    }
    context.stroke();
  });

  context.font = `11px "${FONT}"`;
  context.textBaseline = 'middle';
  series.slice(0, legendLines).forEach((one, index) => {
    const y = plot.y + plot.h + 24 + index * 16;
    const finite = finitePoints(one).map(([, value]) => value);
    context.fillStyle = PALETTE[index % PALETTE.length]!;
    context.fillRect(box.x + 12, y - 1, 14, 3);
    context.fillStyle = THEME.text;
    context.fillText(one.name || panel.title, box.x + 32, y, box.w * 0.55);
    const last = finite.length > 0 ? formatValue(panel.unit, finite[finite.length - 1]!) : '-';
    const max = finite.length > 0 ? formatValue(panel.unit, Math.max(...finite)) : '-';
    context.fillStyle = THEME.dim;
    context.textAlign = 'right';
    context.fillText(`last ${last}   max ${max}`, box.x + box.w - 10, y);
    context.textAlign = 'left';
  });
  if (series.length > legendLines) {
    context.fillStyle = THEME.dim;
    context.fillText(`+${series.length - legendLines} more`, box.x + 32, plot.y + plot.h + 24 + legendLines * 16);
  }
}

/** The whole dashboard as a PNG. */
export function renderDashboard(title: string, rows: readonly DashboardRow[], panels: readonly PanelData[]): Buffer {
  const bottom = Math.max(...panels.map(({ panel }) => panel.gridPos.y + panel.gridPos.h));
  const header = 44;
  const canvas = createCanvas(WIDTH, header + bottom * ROW + GAP);
  const context = canvas.getContext('2d');
  context.fillStyle = THEME.page;
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.fillStyle = THEME.text;
  context.font = `bold 18px "${FONT}"`;
  context.textBaseline = 'middle';
  context.fillText(title, 12, header / 2);
  context.translate(0, header);
  for (const row of rows) {
    context.fillStyle = THEME.text;
    context.font = `bold 14px "${FONT}"`;
    context.textBaseline = 'middle';
    context.fillText(`⌄ ${row.title}`, 10, row.y * ROW + ROW / 2);
  }
  for (const data of panels) {
    if (data.panel.type === 'stat') drawStat(context, data);
    else drawTimeseries(context, data);
  }
  return canvas.toBuffer('image/png');
}
