import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { DEPLOY, ROOT, configFromEnv, parseYamlDocuments, readRepoFile, unknownVariables } from '../../support/deploy-files';
import { runTool } from '../../support/tools';

/** Each deploy file read by the program that will read it in production, and checked against the others. */

interface ComposeService {
  readonly image?: string;
  readonly build?: { readonly context: string; readonly dockerfile: string };
  readonly environment?: Readonly<Record<string, string>>;
  /** `host:container[:mode]`, the host path made absolute by `config`. */
  readonly volumes?: readonly string[];
}

async function composeServices(): Promise<Readonly<Record<string, ComposeService>>> {
  // `config` parses, interpolates and validates against the compose schema without a Docker engine.
  const result = await runTool('docker-compose', ['--file', 'docker-compose.yml', 'config'], { cwd: ROOT });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  const [compose] = parseYamlDocuments(result.stdout) as [{ services: Record<string, ComposeService> }];
  return compose.services;
}

const NODES = ['node1', 'node2', 'node3'];

describe('deploy/haproxy/haproxy.cfg', () => {
  it('loads in haproxy -c', async () => {
    const result = await runTool('haproxy', ['-c', '-f', path.join(DEPLOY, 'haproxy/haproxy.cfg')]);
    expect(result.stdout + result.stderr).toContain('Configuration file is valid');
    expect(result.code).toBe(0);
  });

  it('sends clients and broadcasts to every compose node, checked on the health path', () => {
    const config = readRepoFile('deploy/haproxy/haproxy.cfg');
    for (const node of NODES) {
      expect(config).toMatch(new RegExp(`server ${node} ${node}:8080\\b`));
      expect(config).toMatch(new RegExp(`server ${node} ${node}:8090\\b`));
    }
    // Every server is checked (default-server), by an HTTP/1.1 request with a Host header.
    expect(config).toMatch(/^\s*default-server\b.*\bcheck\b/m);
    expect(config).toMatch(/^\s*option httpchk\s*$/m);
    expect(config).toMatch(/^\s*http-check send meth GET uri \/health ver HTTP\/1\.1 hdr Host \S+/m);
  });
});

describe('deploy/prometheus', () => {
  it('prometheus.yml passes promtool check config, rule files included', async () => {
    const result = await runTool('promtool', ['check', 'config', path.join(DEPLOY, 'prometheus/prometheus.yml')]);
    expect(result.stdout + result.stderr).toContain('SUCCESS: 1 rule files found');
    expect(result.code).toBe(0);
  });

  it('alerts.yml passes promtool check rules', async () => {
    const result = await runTool('promtool', ['check', 'rules', path.join(DEPLOY, 'prometheus/alerts.yml')]);
    expect(result.code).toBe(0);
  });

  it('every alert has a promtool unit test, and they pass', async () => {
    const rules = parseYamlDocuments(readRepoFile('deploy/prometheus/alerts.yml')) as [
      { groups: Array<{ rules: Array<{ alert: string }> }> },
    ];
    const [tests] = parseYamlDocuments(readRepoFile('deploy/prometheus/alerts.test.yml')) as [
      { tests: Array<{ alert_rule_test: Array<{ alertname: string; exp_alerts: unknown[] }> }> },
    ];
    const alerts = rules[0].groups.flatMap((group) => group.rules.map((rule) => rule.alert));
    const firingCases = tests.tests.flatMap((test) => test.alert_rule_test.filter((c) => c.exp_alerts.length > 0));
    const silentCases = tests.tests.flatMap((test) => test.alert_rule_test.filter((c) => c.exp_alerts.length === 0));
    for (const alert of alerts) {
      expect(firingCases.map((c) => c.alertname)).toContain(alert);
      expect(silentCases.map((c) => c.alertname)).toContain(alert);
    }
    const result = await runTool('promtool', ['test', 'rules', 'alerts.test.yml'], { cwd: path.join(DEPLOY, 'prometheus') });
    expect(result.stdout + result.stderr).toContain('SUCCESS');
    expect(result.code).toBe(0);
  });

  it('scrapes the metrics path of every compose node', () => {
    const [config] = parseYamlDocuments(readRepoFile('deploy/prometheus/prometheus.yml')) as [
      { scrape_configs: Array<{ metrics_path: string; static_configs: Array<{ targets: string[] }> }> },
    ];
    const [job] = config.scrape_configs;
    expect(job!.metrics_path).toBe('/metrics');
    expect(job!.static_configs.flatMap((c) => c.targets)).toEqual(NODES.map((node) => `${node}:8080`));
  });
});

describe('docker-compose.yml', () => {
  it('passes docker-compose config, and every file it mounts exists', async () => {
    const services = await composeServices();
    expect(Object.keys(services).sort()).toEqual(['grafana', 'haproxy', ...NODES, 'prometheus', 'redis'].sort());
    const mounts = Object.values(services).flatMap((service) => (service.volumes ?? []).map((volume) => volume.split(':')));
    expect(mounts.length).toBeGreaterThan(0);
    expect(mounts.map(([source]) => source!).filter((source) => !existsSync(source))).toEqual([]);
    expect(mounts.map(([, target]) => target)).toEqual(
      expect.arrayContaining(['/etc/prometheus/prometheus.yml', '/etc/prometheus/alerts.yml', '/var/lib/grafana/dashboards']),
    );
  });

  it("builds the nodes from deploy/Dockerfile, with an environment the node's own parser accepts", async () => {
    const services = await composeServices();
    for (const node of NODES) {
      const service = services[node]!;
      expect(path.relative(ROOT, path.resolve(service.build!.context, service.build!.dockerfile))).toBe('deploy/Dockerfile');
      const env = service.environment!;
      expect(unknownVariables(env)).toEqual([]);
      const config = configFromEnv(env);
      expect(config.nodeId).toBe(node);
      expect(config.metrics.path).toBe('/metrics');
      expect(config.server.host).toBe('0.0.0.0');
    }
  });
});

describe('deploy/grafana', () => {
  it('provisions the dashboard folder compose mounts, from the Prometheus data source the dashboard names', () => {
    const [dashboards] = parseYamlDocuments(readRepoFile('deploy/grafana/provisioning/dashboards/cableway.yml')) as [
      { providers: Array<{ options: { path: string } }> },
    ];
    expect(dashboards.providers[0]!.options.path).toBe('/var/lib/grafana/dashboards');
    const [sources] = parseYamlDocuments(readRepoFile('deploy/grafana/provisioning/datasources/prometheus.yml')) as [
      { datasources: Array<{ uid: string; url: string }> },
    ];
    const dashboard = JSON.parse(readRepoFile('deploy/grafana/dashboards/cableway.json')) as {
      panels: Array<{ datasource?: { uid: string } }>;
    };
    const uids = new Set(dashboard.panels.flatMap((panel) => (panel.datasource ? [panel.datasource.uid] : [])));
    expect([...uids]).toEqual([sources.datasources[0]!.uid]);
    expect(sources.datasources[0]!.url).toBe('http://prometheus:9090');
  });
});

/** `FROM … AS name` stages with their instructions, continuation lines joined. */
function dockerfileStages(text: string): Array<{ from: string; instructions: Array<{ op: string; args: string }> }> {
  const stages: Array<{ from: string; instructions: Array<{ op: string; args: string }> }> = [];
  const lines = text.replace(/\\\n/g, ' ').split('\n');
  for (const line of lines.map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'))) {
    const [op, ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    if (op!.toUpperCase() === 'FROM') stages.push({ from: args, instructions: [] });
    else stages[stages.length - 1]!.instructions.push({ op: op!.toUpperCase(), args });
  }
  return stages;
}

/** Whether a COPY source (a path, maybe ending in a `*` glob) names something in the build context. */
function sourceExists(source: string): boolean {
  if (!source.endsWith('*')) return existsSync(path.join(ROOT, source));
  const dir = path.dirname(path.join(ROOT, source));
  const prefix = path.basename(source).slice(0, -1);
  return readdirSync(dir).some((name) => name.startsWith(prefix));
}

describe('deploy/Dockerfile', () => {
  const stages = dockerfileStages(readRepoFile('deploy/Dockerfile'));
  const build = stages[0]!;
  const runtime = stages[stages.length - 1]!;
  const copied = build.instructions
    .filter((instruction) => instruction.op === 'COPY' && !instruction.args.startsWith('--'))
    .flatMap((instruction) => instruction.args.split(/\s+/).slice(0, -1));

  it('copies only what exists in the repository', () => {
    expect(copied.length).toBeGreaterThan(4);
    expect(copied.filter((source) => !sourceExists(source))).toEqual([]);
  });

  it('copies everything the build reads: the package files, tsconfig chain, sources and build scripts', () => {
    const tsconfig = JSON.parse(readRepoFile('tsconfig.build.json')) as { extends: string; include: string[] };
    const needed = [
      'package.json',
      'package-lock.json',
      'tsconfig.build.json',
      tsconfig.extends.replace(/^\.\//, ''),
      ...tsconfig.include,
    ];
    const buildScript = (JSON.parse(readRepoFile('package.json')) as { scripts: Record<string, string> }).scripts.build!;
    needed.push(...[...buildScript.matchAll(/node (\S+)/g)].map((match) => match[1]!));
    const isCopied = (file: string) =>
      copied.some((source) => {
        const base = source.replace(/\*$/, '');
        return file === base || file.startsWith(`${base.replace(/\/$/, '')}/`);
      });
    expect(needed.filter((file) => !isCopied(file))).toEqual([]);
  });

  it('runs the built entry point as a non-root user', () => {
    const user = runtime.instructions.filter((instruction) => instruction.op === 'USER').pop();
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user!.args.split(':')[0]);
    const entrypoint = runtime.instructions.find((instruction) => instruction.op === 'ENTRYPOINT')!;
    const [, script] = JSON.parse(entrypoint.args) as string[];
    expect(existsSync(path.join(ROOT, script!))).toBe(true);
    expect(runtime.instructions.some((i) => i.op === 'COPY' && i.args.includes('/app/dist'))).toBe(true);
  });
});
