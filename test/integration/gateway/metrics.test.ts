import { startGateway, type GatewayProcess } from '../../support/gateway';
import { startRpcServer, type TestRpcServer } from '../../support/rpc-server';

/** A fresh node, scraped before anything happened on it. */
let rpc: TestRpcServer;
let gateway: GatewayProcess;
let scrape: string;

beforeAll(async () => {
  rpc = await startRpcServer();
  gateway = await startGateway({ rpc_host: rpc.address, metrics_http: '/metrics' });
  scrape = await (await fetch(`${gateway.httpUrl}/metrics`)).text();
});

afterAll(async () => {
  await gateway?.stop();
  await rpc?.stop();
});

function samples(name: string): string[] {
  return scrape.split('\n').filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `));
}

describe('the first scrape of a fresh node', () => {
  it('has every labelled series of a finite label set at 0', () => {
    const expected = [
      ...['connect', 'subscribe', 'unsubscribe', 'disconnect'].map((op) => `cableway_rpc_avoided_total{op="${op}"} 0`),
      ...['connect', 'command', 'disconnect'].map((method) => `cableway_rpc_call_total{method="${method}"} 0`),
      ...['jwt', 'rpc', 'noauth'].flatMap((path) => [
        `cableway_connect_duration_seconds_count{path="${path}"} 0`,
        `cableway_connect_duration_seconds_bucket{le="+Inf",path="${path}"} 0`,
      ]),
    ];
    const lines = new Set(scrape.split('\n'));
    expect(expected.filter((line) => !lines.has(line))).toEqual([]);
  });

  it('has a sample for every Cableway counter and histogram it declares', () => {
    // Node.js' own process metrics (GC, event loop) are prom-client's, and appear once their events happen.
    const declared = [...scrape.matchAll(/^# TYPE (cableway_\S+) (counter|histogram)$/gm)]
      .map((match) => ({ name: match[1]!, type: match[2]! }))
      .filter(({ name }) => !/^cableway_(nodejs|process)_/.test(name));
    expect(declared.length).toBeGreaterThan(20);
    const empty = declared.filter(({ name, type }) => samples(type === 'histogram' ? `${name}_count` : name).length === 0);
    expect(empty).toEqual([]);
  });
});
