import path from 'node:path';
import { DEPLOY, configFromEnv, parseYamlDocuments, readRepoFile, unknownVariables } from '../../support/deploy-files';
import { metricValue, startGateway } from '../../support/gateway';
import { kubernetesSchemaErrors, type KubernetesObject } from '../../support/kubernetes-schema';
import { freePort } from '../../support/ports';
import { startRedisServer } from '../../support/redis-server';
import { waitFor } from '../../support/wait';
import { runTool } from '../../support/tools';

/** deploy/kubernetes built by kustomize (kubectl's), validated against the API schemas, and run. */

interface Probe {
  readonly httpGet: { readonly path: string; readonly port: string };
  readonly periodSeconds: number;
  readonly failureThreshold: number;
  readonly initialDelaySeconds?: number;
}

interface Container {
  readonly name: string;
  readonly ports: ReadonlyArray<{ readonly name: string; readonly containerPort: number }>;
  readonly envFrom: ReadonlyArray<{ readonly configMapRef?: { name: string }; readonly secretRef?: { name: string } }>;
  readonly resources: { readonly requests: Record<string, string>; readonly limits: Record<string, string> };
  readonly readinessProbe: Probe;
  readonly livenessProbe: Probe;
  readonly lifecycle: { readonly preStop: { readonly exec: { readonly command: string[] } } };
  readonly securityContext: { readonly readOnlyRootFilesystem: boolean; readonly allowPrivilegeEscalation: boolean };
}

interface PodSpec {
  readonly terminationGracePeriodSeconds: number;
  readonly securityContext: { readonly runAsNonRoot: boolean; readonly runAsUser: number };
  readonly containers: readonly Container[];
}

const LAYOUTS = ['base', 'overlays/cluster'] as const;

async function build(layout: string): Promise<KubernetesObject[]> {
  const result = await runTool('kubectl', ['kustomize', path.join(DEPLOY, 'kubernetes', layout)]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return parseYamlDocuments(result.stdout) as KubernetesObject[];
}

function find<T = Record<string, unknown>>(objects: readonly KubernetesObject[], kind: string, name = 'cableway'): T {
  const object = objects.find((candidate) => candidate.kind === kind && candidate.metadata?.name === name);
  if (!object) throw new Error(`no ${kind} ${name}`);
  return object as unknown as T;
}

function matches(selector: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>>): boolean {
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

const built = new Map<string, KubernetesObject[]>();

beforeAll(async () => {
  for (const layout of LAYOUTS) built.set(layout, await build(layout));
});

describe.each(LAYOUTS)('kustomize build of deploy/kubernetes/%s', (layout) => {
  const objects = () => built.get(layout)!;
  const deployment = () =>
    find<{
      spec: {
        selector: { matchLabels: Record<string, string> };
        template: { metadata: { labels: Record<string, string> }; spec: PodSpec };
      };
    }>(objects(), 'Deployment');
  const container = () => deployment().spec.template.spec.containers.find((c) => c.name === 'cableway')!;
  const configMap = () => {
    const name = container().envFrom.find((source) => source.configMapRef)!.configMapRef!.name;
    return find<{ data: Record<string, string> }>(objects(), 'ConfigMap', name).data;
  };

  it('is valid against the Kubernetes API schemas, with no unknown field', () => {
    const kinds = objects().map((object) => object.kind);
    expect(kinds).toEqual(
      expect.arrayContaining([
        'Deployment',
        'Service',
        'PodDisruptionBudget',
        'HorizontalPodAutoscaler',
        'Ingress',
        'ServiceMonitor',
        'ConfigMap',
        'Secret',
      ]),
    );
    expect(kubernetesSchemaErrors(objects())).toEqual([]);
  });

  it('wires the Service, PodDisruptionBudget, HorizontalPodAutoscaler, ServiceMonitor and Ingress to the pods', () => {
    const podLabels = deployment().spec.template.metadata.labels;
    expect(matches(deployment().spec.selector.matchLabels, podLabels)).toBe(true);
    const service = find<{
      metadata: { labels: Record<string, string> };
      spec: { selector: Record<string, string>; ports: Array<{ name: string; targetPort: string }> };
    }>(objects(), 'Service');
    expect(matches(service.spec.selector, podLabels)).toBe(true);
    const containerPorts = container().ports.map((port) => port.name);
    for (const port of service.spec.ports) expect(containerPorts).toContain(port.targetPort);
    const pdb = find<{ spec: { selector: { matchLabels: Record<string, string> } } }>(objects(), 'PodDisruptionBudget');
    expect(matches(pdb.spec.selector.matchLabels, podLabels)).toBe(true);
    const hpa = find<{ spec: { scaleTargetRef: { kind: string; name: string } } }>(objects(), 'HorizontalPodAutoscaler');
    expect(hpa.spec.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: 'cableway' });
    const monitor = find<{
      spec: { selector: { matchLabels: Record<string, string> }; endpoints: Array<{ port: string; path: string }> };
    }>(objects(), 'ServiceMonitor');
    expect(matches(monitor.spec.selector.matchLabels, service.metadata.labels)).toBe(true);
    expect(service.spec.ports.map((port) => port.name)).toContain(monitor.spec.endpoints[0]!.port);
    expect(monitor.spec.endpoints[0]!.path).toBe(configMap().ANYCABLE_METRICS_HTTP);
    const ingress = find<{
      spec: {
        rules: Array<{
          http: { paths: Array<{ path: string; backend: { service: { name: string; port: { name: string } } } }> };
        }>;
      };
    }>(objects(), 'Ingress');
    const backend = ingress.spec.rules[0]!.http.paths[0]!;
    expect(backend.path).toBe(configFromEnv(configMap()).server.paths[0]);
    expect(backend.backend.service.name).toBe('cableway');
    expect(service.spec.ports.map((port) => port.name)).toContain(backend.backend.service.port.name);
  });

  it('gives ingress-nginx the WebSocket settings: long timeouts, no buffering', () => {
    const annotations = find<{ metadata: { annotations: Record<string, string> } }>(objects(), 'Ingress').metadata.annotations;
    expect(Number(annotations['nginx.ingress.kubernetes.io/proxy-read-timeout'])).toBeGreaterThanOrEqual(3600);
    expect(Number(annotations['nginx.ingress.kubernetes.io/proxy-send-timeout'])).toBeGreaterThanOrEqual(3600);
    expect(annotations['nginx.ingress.kubernetes.io/proxy-buffering']).toBe('off');
  });

  it("configures the node through a ConfigMap the node's own parser accepts, probed where the node answers", () => {
    const env = configMap();
    expect(unknownVariables(env)).toEqual([]);
    const config = configFromEnv(env);
    const ws = container().ports.find((port) => port.name === 'ws')!;
    expect(ws.containerPort).toBe(config.server.port);
    expect(container().ports.find((port) => port.name === 'broadcast')!.containerPort).toBe(config.broadcast.http.port);
    for (const probe of [container().readinessProbe, container().livenessProbe]) {
      expect(probe.httpGet).toEqual({ path: config.server.healthPath, port: 'ws' });
    }
    expect(container().envFrom.some((source) => source.secretRef)).toBe(true);
  });

  it('gives a terminating pod time for preStop, shutdown_delay and shutdown_timeout, and liveness never cuts a drain short', () => {
    const config = configFromEnv(configMap());
    const [command, seconds] = container().lifecycle.preStop.exec.command;
    expect(command).toBe('sleep');
    const drain = Number(seconds) + config.shutdown.delaySec + config.shutdown.timeoutSec;
    expect(config.shutdown.delaySec).toBeGreaterThan(0);
    expect(deployment().spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(drain);
    const liveness = container().livenessProbe;
    expect(liveness.periodSeconds * liveness.failureThreshold).toBeGreaterThan(
      config.shutdown.delaySec + config.shutdown.timeoutSec,
    );
    const readiness = container().readinessProbe;
    expect(readiness.periodSeconds * readiness.failureThreshold).toBeLessThan(config.shutdown.delaySec);
  });

  it('runs as the non-root user of the image, on a read-only root filesystem, within resource requests and limits', () => {
    const pod = deployment().spec.template.spec;
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(pod.securityContext.runAsUser).not.toBe(0);
    expect(readRepoFile('deploy/Dockerfile')).toMatch(/^USER node$/m);
    expect(pod.securityContext.runAsUser).toBe(1000); // `node` in the node:20 images
    expect(container().securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    expect(Object.keys(container().resources.requests).sort()).toEqual(['cpu', 'memory']);
    expect(container().resources.limits.memory).toBeDefined();
  });
});

describe('the cluster overlay', () => {
  it('adds Redis, points the nodes at it and keeps at least three of them', () => {
    const objects = built.get('overlays/cluster')!;
    const redis = find<{ spec: { ports: Array<{ port: number }> } }>(objects, 'Service', 'redis');
    const name = find<{ spec: { template: { spec: PodSpec } } }>(objects, 'Deployment').spec.template.spec.containers[0]!
      .envFrom[0]!.configMapRef!.name;
    const env = find<{ data: Record<string, string> }>(objects, 'ConfigMap', name).data;
    expect(env.ANYCABLE_REDIS_URL).toBe(`redis://redis:${redis.spec.ports[0]!.port}`);
    expect(find<{ spec: { minReplicas: number } }>(objects, 'HorizontalPodAutoscaler').spec.minReplicas).toBe(3);
  });
});

/** The README's sizing rule: one node per this many connections. */
const CONNECTIONS_PER_NODE = 20_000;

/** `256Mi`, `1Gi` → bytes. */
function quantityBytes(quantity: string): number {
  const match = /^(\d+)(Mi|Gi)$/.exec(quantity);
  if (!match) throw new Error(`unexpected quantity ${quantity}`);
  return Number(match[1]) * 1024 ** (match[2] === 'Gi' ? 3 : 2);
}

/** The benchmark's idle memory per connection, from the README's Performance table. */
function benchmarkBytesPerConnection(): number {
  const match = /^\| Idle memory, [^|]+\| ([\d.]+) KiB per connection \|/m.exec(readRepoFile('README.md'));
  if (!match) throw new Error('no idle memory figure in the README');
  return Number(match[1]) * 1024;
}

describe('a node run with the ConfigMap of deploy/kubernetes/base', () => {
  const objects = () => built.get('base')!;
  const env = () => (objects().find((object) => object.kind === 'ConfigMap') as unknown as { data: Record<string, string> }).data;
  const container = () =>
    find<{ spec: { template: { spec: PodSpec } } }>(objects(), 'Deployment').spec.template.spec.containers[0]!;

  it('answers its probes 200 through a Redis outage and 503 from the first second of a drain', async () => {
    const config = configFromEnv(env());
    const redis = await startRedisServer();
    const port = await freePort();
    const broadcastPort = await freePort();
    // Only what is the cluster's own changes: the address to listen on and the peers' addresses.
    const node = await startGateway(
      { port, http_broadcast_port: broadcastPort },
      {
        ...env(),
        ANYCABLE_HOST: '127.0.0.1',
        ANYCABLE_REDIS_URL: redis.url,
        ANYCABLE_RPC_HOST: '127.0.0.1:1',
        ANYCABLE_SECRET: 'k8s',
      },
    );
    const probe = async () => {
      const response = await fetch(`${node.httpUrl}${config.server.healthPath}`);
      return { status: response.status, body: await response.text() };
    };
    try {
      expect(await probe()).toEqual({ status: 200, body: 'Ok' });
      // The memory request holds the process as it runs plus the README's connections per node.
      const rss = await metricValue(node.httpUrl, 'cableway_process_resident_memory_bytes');
      expect(rss).toBeGreaterThan(0);
      const needed = rss + CONNECTIONS_PER_NODE * benchmarkBytesPerConnection();
      expect(quantityBytes(container().resources.requests.memory!)).toBeGreaterThanOrEqual(needed);
      expect(quantityBytes(container().resources.limits.memory!)).toBeGreaterThan(
        quantityBytes(container().resources.requests.memory!),
      );
      await redis.stop();
      await waitFor(async () => (await probe()).body === 'degraded: redis', 'degraded: redis');
      expect((await probe()).status).toBe(200);
      process.kill(node.pid, 'SIGTERM');
      const draining = await waitFor(async () => {
        const answer = await probe();
        return answer.status === 503 ? answer : undefined;
      }, 'the drain');
      expect(draining.body).toBe('draining');
    } finally {
      await node.stop();
      await redis.stop();
    }
  }, 60_000);
});
