import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startGateway } from '../../support/gateway';
import { startRedisServer } from '../../support/redis-server';
import { startRpcServer } from '../../support/rpc-server';

const DEPLOY = path.resolve(__dirname, '../../../deploy');

/** Metric names (prefix stripped) that an expression in the dashboard or the alert rules refers to. */
function referencedMetrics(text: string): Set<string> {
  const names = new Set<string>();
  for (const match of text.matchAll(/(?:\$\{prefix\}|cableway_)([a-z0-9_]*[a-z0-9])/g)) names.add(match[1]!);
  return names;
}

describe('the operations files', () => {
  it('refer only to metrics a node with Redis and RPC exports', async () => {
    const redis = await startRedisServer();
    const rpc = await startRpcServer();
    const gateway = await startGateway({ redis_url: redis.url, rpc_host: rpc.address, metrics_http: '/metrics' });
    try {
      const exported = new Set<string>();
      for (const line of (await (await fetch(`${gateway.httpUrl}/metrics`)).text()).split('\n')) {
        const declared = /^# TYPE cableway_(\S+) (\S+)$/.exec(line);
        if (!declared) continue;
        const [, name, type] = declared;
        exported.add(name!);
        if (type === 'histogram') for (const series of ['bucket', 'count', 'sum']) exported.add(`${name}_${series}`);
      }
      const dashboard = readFileSync(path.join(DEPLOY, 'grafana/dashboards/cableway.json'), 'utf8');
      const alerts = readFileSync(path.join(DEPLOY, 'prometheus/alerts.yml'), 'utf8');
      const referenced = new Set([...referencedMetrics(dashboard), ...referencedMetrics(alerts)]);
      expect(referenced.size).toBeGreaterThan(20);
      expect([...referenced].filter((name) => !exported.has(name))).toEqual([]);
    } finally {
      await gateway.stop();
      await rpc.stop();
      await redis.stop();
    }
  });
});
