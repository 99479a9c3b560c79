import type { CommandContext, RequestEnv } from '../../../gateway/src/core/controller';
import type { GatewayConfig } from '../../../gateway/src/config/config';
import { createRpc, type Rpc } from '../../../gateway/src/rpc/rpc';
import { grpcTarget } from '../../../gateway/src/config/grpc-target';
import { createLogger } from '../../../shared/src/logger';
import { Metrics } from '../../../shared/src/metrics';
import { startRpcServer, type TestRpcServer } from '../../support/rpc-server';

export interface RpcUnderTest {
  readonly rpc: Rpc;
  readonly metrics: Metrics;
  readonly logLines: string[];
  /** The current value of a metric (prefix omitted), for the given labels. */
  metric(name: string, labels?: Readonly<Record<string, string>>): Promise<number>;
}

export interface RpcSettings {
  readonly rpc?: Partial<GatewayConfig['rpc']>;
  readonly disconnect?: Partial<GatewayConfig['disconnect']>;
}

/** The RPC room as the node builds it, with the defaults of the options, pointed at the gRPC server `rpcHost`. */
export function rpcFor(rpcHost: string, settings: RpcSettings = {}): RpcUnderTest {
  const metrics = new Metrics('cableway_');
  const logLines: string[] = [];
  const logger = createLogger({ level: 'info', format: 'text', sink: (line) => logLines.push(line) });
  const rpc = createRpc(
    {
      rpc: {
        enabled: true,
        host: rpcHost,
        concurrency: 28,
        commandTimeoutMs: 3000,
        requestTimeoutMs: 0,
        headers: ['cookie'],
        transport: { kind: 'grpc', target: grpcTarget(rpcHost), tls: null, maxRecvSize: 0, maxSendSize: 0 },
        ...settings.rpc,
      },
      disconnect: { mode: 'auto', ratePerSec: 100, backlog: 4096, ...settings.disconnect },
    },
    metrics,
    logger,
  );
  return {
    rpc,
    metrics,
    logLines,
    async metric(name, labels = {}) {
      const metric = metrics.registry.getSingleMetric(`cableway_${name}`);
      if (!metric) throw new Error(`no metric ${name}`);
      const { values } = await metric.get();
      const match = values.find((value) => Object.entries(labels).every(([key, label]) => value.labels[key] === label));
      return match?.value ?? 0;
    },
  };
}

export function envFor(cookie: string): RequestEnv {
  return { url: 'http://localhost:8080/cable?room=1', headers: { cookie, REMOTE_ADDR: '127.0.0.1' } };
}

export const CHAT = JSON.stringify({ channel: 'ChatChannel', room: '42' });

/** What the session of user `ann` knows when it sends a command for `CHAT`. */
export function annContext(overrides: Partial<CommandContext> = {}): CommandContext {
  return {
    sid: 'sid-ann',
    identifiers: '{"current_user":"ann"}',
    env: envFor('username=ann'),
    cstate: { user: 'ann' },
    istate: { room: '42' },
    ...overrides,
  };
}

export interface RpcServerFixture {
  readonly server: TestRpcServer;
  /** The RPC room pointed at `server`; shut down after the test. */
  rpc(settings?: RpcSettings): RpcUnderTest;
}

/** A fresh test RPC server for every test, and the RPC room a test builds against it. */
export function useRpcServer(): RpcServerFixture {
  let subject: RpcUnderTest | undefined;
  const fixture = {
    server: undefined as unknown as TestRpcServer,
    rpc(settings?: RpcSettings): RpcUnderTest {
      subject = rpcFor(fixture.server.address, settings);
      return subject;
    },
  };
  beforeEach(async () => {
    fixture.server = await startRpcServer();
  });
  afterEach(async () => {
    await subject?.rpc.shutdown(Date.now() + 1000);
    subject = undefined;
    await fixture.server.stop();
  });
  return fixture;
}
