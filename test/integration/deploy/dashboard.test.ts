import path from 'node:path';
import { dashboardPanels } from '../../support/dashboard';
import { runWorkload, startWorkloadNode, type WorkloadNode, type WorkloadResult } from '../../support/dashboard-workload';
import { DEPLOY, parseYamlDocuments, readRepoFile } from '../../support/deploy-files';
import { freePort } from '../../support/ports';
import { startPrometheus, type AlertRule, type PrometheusServer } from '../../support/prometheus';
import { waitFor } from '../../support/wait';

/**
 * The Grafana dashboard and the alert rules against a real Prometheus scraping a real node through a
 * scripted workload: every panel's query returns data, and each alert is in the state the workload calls for.
 */
const INTERVAL_SEC = 1;
/** Grafana's $__rate_interval is at least four scrape intervals; a little more keeps a loaded machine's gaps out. */
const RATE_INTERVAL = '5s';

/** Queries that stay at 0 on a healthy node (they count trouble this workload does not cause). */
const QUIET_WHEN_HEALTHY = [
  /rpc_timeout_total/,
  /rpc_canceled_total/,
  /rpc_pending_num/,
  /disconnect_queue_size/,
  /redis_probe_failures_total/,
  // Gaps in node-to-node delivery: none on one node whose pub/sub is healthy.
  /history_gap_repairs_total/,
  /history_gap_misses_total/,
  /history_duplicates_dropped_total/,
];

let node: WorkloadNode;
let prometheus: PrometheusServer;
let workload: WorkloadResult;
let start = 0;
let end = 0;
let duringRedisOutage: AlertRule[] = [];
/** A node that went away: nothing listens there. */
let goneNode = '';

async function alertState(name: string): Promise<AlertRule['state'] | undefined> {
  return (await prometheus.alertRules()).find((rule) => rule.name === name)?.state;
}

/** Resolves once Prometheus has a sample of the node taken after `time` (Unix seconds). */
async function scrapedAfter(time: number): Promise<void> {
  await waitFor(
    async () => {
      const [sample] = await prometheus.query(`timestamp(up{instance="${node.target}"})`);
      return sample !== undefined && sample.value > time;
    },
    'a scrape after the workload',
    20_000,
  );
}

beforeAll(async () => {
  node = await startWorkloadNode();
  goneNode = `127.0.0.1:${await freePort()}`;
  prometheus = await startPrometheus({
    targets: [node.target, goneNode],
    ruleFiles: [path.join(DEPLOY, 'prometheus/alerts.yml')],
    intervalSec: INTERVAL_SEC,
  });
  start = Date.now() / 1000;
  await scrapedAfter(start);
  workload = await runWorkload(node, {
    whileRedisIsDown: async () => {
      await waitFor(async () => (await alertState('CablewayRedisDown')) === 'pending', 'CablewayRedisDown pending', 20_000);
      duringRedisOutage = await prometheus.alertRules();
    },
  });
  end = Date.now() / 1000;
  await scrapedAfter(end + INTERVAL_SEC);
  // Rules are evaluated after the scrape: once more, so their state reflects the whole workload.
  await waitFor(async () => (await alertState('CablewayBadPublications')) === 'firing', 'CablewayBadPublications firing', 20_000);
}, 180_000);

afterAll(async () => {
  workload?.close();
  await prometheus?.stop();
  await node?.stop();
});

describe('every panel of deploy/grafana/dashboards/cableway.json', () => {
  const panels = dashboardPanels({ prefix: 'cableway_', rateInterval: RATE_INTERVAL });

  it('has queries', () => {
    expect(panels.length).toBeGreaterThan(10);
    for (const panel of panels) expect(panel.targets.length).toBeGreaterThan(0);
  });

  it.each(panels.map((panel) => [panel.title, panel] as const))('"%s" returns data over the workload', async (_title, panel) => {
    const problems: string[] = [];
    for (const target of panel.targets) {
      const series = await prometheus.queryRange(target.expr, Math.floor(start), Math.ceil(end) + INTERVAL_SEC, INTERVAL_SEC);
      const values = series.flatMap((one) => one.values.map(([, value]) => value)).filter(Number.isFinite);
      if (values.length === 0) problems.push(`${target.refId} returned no data: ${target.expr}`);
      else if (!QUIET_WHEN_HEALTHY.some((quiet) => quiet.test(target.expr)) && !values.some((value) => value > 0)) {
        problems.push(`${target.refId} stayed at 0: ${target.expr}`);
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('the alert rules of deploy/prometheus/alerts.yml', () => {
  const stateOf = (rules: readonly AlertRule[], name: string) => rules.find((rule) => rule.name === name)?.state;

  it('are all loaded, and each has an expected state below', async () => {
    const [file] = parseYamlDocuments(readRepoFile('deploy/prometheus/alerts.yml')) as [
      { groups: Array<{ rules: Array<{ alert: string }> }> },
    ];
    const declared = file.groups.flatMap((group) => group.rules.map((rule) => rule.alert)).sort();
    expect((await prometheus.alertRules()).map((rule) => rule.name).sort()).toEqual(declared);
    expect(declared).toEqual(Object.keys(EXPECTED_AT_THE_END).sort());
  });

  it('CablewayRedisDown is pending while Redis is down, and inactive once it is back', () => {
    const rule = duringRedisOutage.find((candidate) => candidate.name === 'CablewayRedisDown')!;
    expect(rule.state).toBe('pending');
    expect(rule.alerts.map((alert) => alert.labels.instance)).toEqual([node.target]);
  });

  const EXPECTED_AT_THE_END: Readonly<Record<string, AlertRule['state']>> = {
    CablewayNodeDown: 'pending', // the target nobody listens on, for less than its `for: 1m`
    CablewayRedisDown: 'inactive',
    CablewayRpcErrors: 'inactive', // one failed call: far below one a second
    CablewaySlowClients: 'inactive', // one too_slow disconnect: far below one a second
    CablewayBadPublications: 'firing', // one unparseable publication fires at once
  };

  it.each(Object.entries(EXPECTED_AT_THE_END))('%s is %s after the workload', async (name, expected) => {
    const rules = await prometheus.alertRules();
    if (name !== 'CablewayNodeDown') {
      expect(stateOf(rules, name)).toBe(expected);
      return;
    }
    expect(rules.find((rule) => rule.name === name)!.alerts.map((alert) => alert.labels.instance)).toEqual([goneNode]);
    // On a machine so loaded that the run took about a minute, the alert may have fired already.
    const runSec = Date.now() / 1000 - start;
    expect(runSec < 55 ? [expected] : ['pending', 'firing']).toContain(stateOf(rules, name));
  });
});
