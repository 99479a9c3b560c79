/**
 * The node's own RPC transport (GrpcTransport or HttpTransport) making sequential Command calls with no
 * gateway around it: the floor under the node's CPU per RPC Command. `http2` makes the same gRPC call
 * written directly on Node's HTTP/2 client (no retries, balancing or deadline): the floor under grpc-js.
 * Prints its CPU per call, in microseconds, after `warmup` uncounted calls.
 * Usage: tsx test/bench/rpc-client-alone.ts <grpc|http|http2> <host:port | URL> <secret> <warmup> <count>
 */
import http2 from 'node:http2';
import { rpcServiceDefinition, type CommandMessage } from '../../gateway/src/rpc/proto';
import { GrpcTransport } from '../../gateway/src/rpc/grpc-transport';
import { HttpTransport } from '../../gateway/src/rpc/http-transport';
import { PROTOCOL_VERSIONS, type RpcLink } from '../../gateway/src/rpc/transport';

const [kind, target, secret, warmup, count] = process.argv.slice(2);

/** What the node sends for the bench's `whoami` action. */
const WHOAMI: CommandMessage = {
  command: 'message',
  identifier: JSON.stringify({ channel: 'ChatChannel', room: 'bench' }),
  connection_identifiers: '{"current_user":"bench"}',
  data: JSON.stringify({ action: 'whoami' }),
  env: { url: 'http://127.0.0.1/cable', headers: { cookie: 'username=bench' }, cstate: { user: 'bench' }, istate: {} },
};

/** One Command call, resolving with the answer's status; and how to let go of the connection. */
interface Client {
  command(): Promise<string>;
  close(): Promise<void>;
}

function viaLink(link: RpcLink): Client {
  return {
    command: async () => (await link.call('command', WHOAMI, 'bench-sid', new Date(Date.now() + 5000))).status,
    close: () => link.close(Date.now() + 1000),
  };
}

function viaBareHttp2(address: string): Client {
  const session = http2.connect(`http://${address}`);
  const { Command } = rpcServiceDefinition();
  return {
    command: () =>
      new Promise((resolve, reject) => {
        const message = Command.requestSerialize(WHOAMI);
        // A gRPC message: not compressed (0), its length, its bytes.
        const frame = Buffer.alloc(5 + message.length);
        frame.writeUInt32BE(message.length, 1);
        message.copy(frame, 5);
        const headers = { ':method': 'POST', ':path': Command.path, 'content-type': 'application/grpc', te: 'trailers' };
        const stream = session.request({ ...headers, sid: 'bench-sid', protov: PROTOCOL_VERSIONS });
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => resolve(Command.responseDeserialize(Buffer.concat(chunks).subarray(5)).status));
        stream.on('error', reject);
        stream.end(frame);
      }),
    close: async () => void session.close(),
  };
}

function clientOf(): Client {
  switch (kind) {
    case 'grpc':
      return viaLink(new GrpcTransport({ kind: 'grpc', target: target!, tls: null, maxRecvSize: 0, maxSendSize: 0 }));
    case 'http':
      return viaLink(new HttpTransport({ kind: 'http', url: new URL(target!), secret: secret!, tls: null }, 1));
    default:
      return viaBareHttp2(target!);
  }
}

async function calls(client: Client, times: number): Promise<void> {
  for (let call = 0; call < times; call++) {
    const status = await client.command();
    if (status !== 'SUCCESS') throw new Error(`the RPC server answered ${status}`);
  }
}

async function main(): Promise<void> {
  const client = clientOf();
  await calls(client, Number(warmup));
  const before = process.cpuUsage();
  await calls(client, Number(count));
  const used = process.cpuUsage(before);
  console.log(JSON.stringify({ cpuPerCallUs: (used.user + used.system) / Number(count) }));
  await client.close();
}

void main();
