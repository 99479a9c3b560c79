import { dashboardPanels } from '../../support/dashboard';
import { readRepoFile } from '../../support/deploy-files';
import { startGateway } from '../../support/gateway';
import { startNatsServer } from '../../support/nats-server';
import { startRedisServer } from '../../support/redis-server';
import { startRpcServer } from '../../support/rpc-server';

/** Metric names (prefix stripped) that an expression in the dashboard or the alert rules refers to. */
function referencedMetrics(text: string): Set<string> {
  const names = new Set<string>();
  for (const match of text.matchAll(/(?:\$\{prefix\}|cableway_)([a-z0-9_]*[a-z0-9])/g)) names.add(match[1]!);
  return names;
}

/** The README's Operations section. */
function operationsSection(): string {
  const readme = readRepoFile('README.md');
  const start = readme.indexOf('\n## Operations\n');
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end);
}

/** Rows of the Metrics table: a name (or a `family_*` group) and the types it lists. */
function documentedMetrics(): Map<string, string[]> {
  const section = operationsSection();
  const table = section.slice(section.indexOf('### Metrics'), section.indexOf('\n### ', section.indexOf('### Metrics') + 1));
  const rows = new Map<string, string[]>();
  for (const match of table.matchAll(/^\| `([a-z0-9_*]+)` \| ([a-z, ]+) \|/gm)) rows.set(match[1]!, match[2]!.split(', '));
  return rows;
}

/** Name (prefix stripped) → type of every metric a node with Redis, NATS and RPC exports. */
const exported = new Map<string, string>();

beforeAll(async () => {
  const redis = await startRedisServer();
  const nats = await startNatsServer();
  const rpc = await startRpcServer();
  const gateway = await startGateway({
    redis_url: redis.url,
    nats_servers: nats.url,
    broadcast_adapter: 'http,redis,nats',
    rpc_host: rpc.address,
    metrics_http: '/metrics',
  });
  try {
    for (const line of (await (await fetch(`${gateway.httpUrl}/metrics`)).text()).split('\n')) {
      const declared = /^# TYPE cableway_(\S+) (\S+)$/.exec(line);
      if (declared) exported.set(declared[1]!, declared[2]!);
    }
  } finally {
    await gateway.stop();
    await rpc.stop();
    await nats.stop();
    await redis.stop();
  }
});

describe('the operations files', () => {
  it('refer only to metrics a node with Redis and RPC exports', () => {
    const series = new Set<string>();
    for (const [name, type] of exported) {
      series.add(name);
      if (type === 'histogram') for (const suffix of ['bucket', 'count', 'sum']) series.add(`${name}_${suffix}`);
    }
    const dashboard = readRepoFile('deploy/grafana/dashboards/cableway.json');
    const alerts = readRepoFile('deploy/prometheus/alerts.yml');
    const referenced = new Set([...referencedMetrics(dashboard), ...referencedMetrics(alerts)]);
    expect(referenced.size).toBeGreaterThan(20);
    expect([...referenced].filter((name) => !series.has(name))).toEqual([]);
  });
});

describe("the README's Operations section", () => {
  it('names every exported metric in its Metrics table, with its type, and no metric that does not exist', () => {
    const documented = documentedMetrics();
    const groups = [...documented.keys()].filter((name) => name.endsWith('*'));
    const rowOf = (name: string) => (documented.has(name) ? name : groups.find((group) => name.startsWith(group.slice(0, -1))));
    const wrong = [...exported].flatMap(([name, type]) => {
      const row = rowOf(name);
      if (!row) return [`${name} (${type}) is not in the table`];
      return documented.get(row)!.includes(type)
        ? []
        : [`${name} is a ${type}, the table says ${documented.get(row)!.join(', ')}`];
    });
    expect(wrong).toEqual([]);
    const stale = [...documented.keys()].filter(
      (row) => !(row.endsWith('*') ? [...exported.keys()].some((name) => name.startsWith(row.slice(0, -1))) : exported.has(row)),
    );
    expect(stale).toEqual([]);
  });

  it('names every dashboard panel and every alert', () => {
    const section = operationsSection();
    const panels = dashboardPanels({ prefix: 'cableway_', rateInterval: '1m' }).map((panel) => panel.title);
    expect(panels.filter((title) => !section.includes(`| ${title} |`))).toEqual([]);
    const alerts = [...readRepoFile('deploy/prometheus/alerts.yml').matchAll(/- alert: (\w+)/g)].map((match) => match[1]!);
    expect(alerts.length).toBeGreaterThan(0);
    expect(alerts.filter((alert) => !section.includes(`| \`${alert}\``))).toEqual([]);
  });
});
