/**
 * Renders docs/dashboard.png: the Grafana dashboard's panels drawn from a real Prometheus' query results,
 * while a node runs the same scripted workload as the dashboard's test. `npm run docs:dashboard`.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { dashboardPanels, dashboardRows, legendOf } from '../test/support/dashboard';
import { runWorkload, startWorkloadNode } from '../test/support/dashboard-workload';
import { startPrometheus } from '../test/support/prometheus';
import { waitFor } from '../test/support/wait';
import { renderDashboard, type PanelData } from './dashboard/render';

const ROOT = path.resolve(__dirname, '..');
const OUTPUT = path.join(ROOT, 'docs/dashboard.png');
const INTERVAL_SEC = 1;

async function main(): Promise<void> {
  const node = await startWorkloadNode();
  const prometheus = await startPrometheus({
    targets: [node.target],
    ruleFiles: [path.join(ROOT, 'deploy/prometheus/alerts.yml')],
    intervalSec: INTERVAL_SEC,
  });
  try {
    const start = Date.now() / 1000;
    const scrapedAfter = (time: number) =>
      waitFor(
        async () => ((await prometheus.query(`timestamp(up{instance="${node.target}"})`))[0]?.value ?? 0) > time,
        'a scrape',
        20_000,
      );
    await scrapedAfter(start);
    const workload = await runWorkload(node, {
      broadcastMs: 10_000,
      // Long enough for the outage to be scraped.
      whileRedisIsDown: async () => {
        await waitFor(
          async () => (await prometheus.query('cableway_redis_connected == 0')).length > 0,
          'the outage scraped',
          20_000,
        );
      },
    });
    const end = Date.now() / 1000;
    await scrapedAfter(end + INTERVAL_SEC);
    workload.close();

    const panels: PanelData[] = [];
    for (const panel of dashboardPanels({ prefix: 'cableway_', rateInterval: '5s' })) {
      const series = [];
      for (const target of panel.targets) {
        for (const one of await prometheus.queryRange(target.expr, Math.floor(start), Math.ceil(end), INTERVAL_SEC)) {
          series.push({ name: legendOf(target.legendFormat, one.metric), points: one.values });
        }
      }
      panels.push({ panel, series });
    }
    writeFileSync(OUTPUT, renderDashboard('Cableway', dashboardRows(), panels));
    console.log(`wrote ${path.relative(ROOT, OUTPUT)}`);
  } finally {
    await prometheus.stop();
    await node.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
