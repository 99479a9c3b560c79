/**
 * The node's own RPC transport (GrpcTransport or HttpTransport) making sequential Command calls with no
 * gateway around it: the floor under the node's CPU per RPC Command. Prints its CPU per call, in
 * microseconds, after `warmup` uncounted calls.
 * Usage: tsx test/bench/rpc-client-alone.ts <grpc|http> <host:port | URL> <secret> <warmup> <count>
 */
import { GrpcTransport } from '../../gateway/src/rpc/grpc-transport';
import { HttpTransport } from '../../gateway/src/rpc/http-transport';
import type { RpcLink } from '../../gateway/src/rpc/transport';

const [kind, target, secret, warmup, count] = process.argv.slice(2);

const link: RpcLink =
  kind === 'grpc'
    ? new GrpcTransport({ kind: 'grpc', target: target!, tls: null, maxRecvSize: 0, maxSendSize: 0 })
    : new HttpTransport({ kind: 'http', url: new URL(target!), secret: secret!, tls: null }, 1);

/** What the node sends for the bench's `whoami` action. */
const WHOAMI = {
  command: 'message',
  identifier: JSON.stringify({ channel: 'ChatChannel', room: 'bench' }),
  connection_identifiers: '{"current_user":"bench"}',
  data: JSON.stringify({ action: 'whoami' }),
  env: { url: 'http://127.0.0.1/cable', headers: { cookie: 'username=bench' }, cstate: { user: 'bench' }, istate: {} },
} as const;

async function calls(times: number): Promise<void> {
  for (let call = 0; call < times; call++) {
    const response = await link.call('command', WHOAMI, 'bench-sid', new Date(Date.now() + 5000));
    if (response.status !== 'SUCCESS') throw new Error(`the RPC server answered ${response.status}`);
  }
}

async function main(): Promise<void> {
  await calls(Number(warmup));
  const before = process.cpuUsage();
  await calls(Number(count));
  const used = process.cpuUsage(before);
  console.log(JSON.stringify({ cpuPerCallUs: (used.user + used.system) / Number(count) }));
  await link.close(Date.now() + 1000);
}

void main();
