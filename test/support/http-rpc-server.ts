import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { RpcMethod, RpcRequest, RpcResponse, Status } from '../../gateway/src/rpc/proto';
import { FailureScript, RpcApp, TestRpcAppServer, type RpcAppOptions, type TestRpcApp } from './rpc-app';

/**
 * The test Rails app (`rpc-app.ts`) behind anycable-rails' HTTP RPC Rack server, answering as that server
 * does: POST `<mount>/connect|command|disconnect` with a JSON body; 404 for other methods and paths, 401
 * without the right Bearer token, 422 for an empty or unreadable body; else 200 and the answer's JSON with
 * proto field names and enums as numbers. Metadata comes in `x-anycable-meta-<name>` headers.
 */
export interface HttpRpcServerOptions extends RpcAppOptions {
  /** Where the Rack app is mounted (anycable-rails' default is `/_anycable`). */
  readonly mountPath?: string;
  /** The `http_rpc_secret`; without it every request is accepted. */
  readonly secret?: string;
  /** Serve https:// with this certificate and key (PEM). */
  readonly tls?: { readonly cert: Buffer; readonly key: Buffer };
}

export interface TestHttpRpcServer extends TestRpcApp {
  readonly port: number;
  /** `http(s)://127.0.0.1:<port><mount>`, for --rpc_host. */
  readonly url: string;
  /** The Authorization header of every request, in order. */
  readonly authorizations: readonly (string | undefined)[];
  /** Answers the next `count` calls of `method` with the HTTP status `statusCode` and no body. */
  failNext(method: RpcMethod, count: number, statusCode: number): void;
}

type Json = Record<string, unknown>;

const STATUS_NUMBERS: Readonly<Record<Status, number>> = { ERROR: 0, SUCCESS: 1, FAILURE: 2 };

function objectOf(value: unknown): Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {};
}

/** A field by its proto name or its lowerCamelCase JSON name: the Ruby decoder accepts both. */
function field(json: Json, protoName: string): unknown {
  return json[protoName] ?? json[protoName.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase())];
}

function text(json: Json, name: string): string {
  const value = field(json, name);
  return typeof value === 'string' ? value : '';
}

function texts(json: Json, name: string): string[] {
  const value = field(json, name);
  return Array.isArray(value) ? value.map(String) : [];
}

function stringMap(json: Json, name: string): Record<string, string> {
  return Object.fromEntries(Object.entries(objectOf(field(json, name))).map(([key, value]) => [key, String(value)]));
}

function envOf(json: Json) {
  const env = objectOf(json.env);
  return {
    url: text(env, 'url'),
    headers: stringMap(env, 'headers'),
    cstate: stringMap(env, 'cstate'),
    istate: stringMap(env, 'istate'),
  };
}

/** The request as the gRPC server hands it over (every field present, at its default when absent). */
const REQUEST_DECODERS: { readonly [M in RpcMethod]: (json: Json) => RpcRequest<M> } = {
  connect: (json) => ({ env: envOf(json) }),
  command: (json) => ({
    command: text(json, 'command') as RpcRequest<'command'>['command'],
    identifier: text(json, 'identifier'),
    connection_identifiers: text(json, 'connection_identifiers'),
    data: text(json, 'data'),
    env: envOf(json),
  }),
  disconnect: (json) => ({
    identifiers: text(json, 'identifiers'),
    subscriptions: texts(json, 'subscriptions'),
    env: envOf(json),
  }),
};

/** proto3 JSON as the Ruby server writes it: defaults left out, enums as numbers, proto field names. */
function responseJson(value: unknown): unknown {
  if (Array.isArray(value)) return value;
  if (typeof value !== 'object' || value === null) return value;
  const present: Json = {};
  for (const [name, fieldValue] of Object.entries(value)) {
    const encoded = name === 'status' ? STATUS_NUMBERS[fieldValue as Status] : responseJson(fieldValue);
    const isDefault =
      encoded === null ||
      encoded === '' ||
      encoded === false ||
      encoded === 0 ||
      (Array.isArray(encoded) && encoded.length === 0) ||
      // An empty map is a default; a message field that is set is written even when empty.
      (name !== 'env' && name !== 'presence' && typeof encoded === 'object' && Object.keys(encoded).length === 0);
    if (!isDefault) present[name] = encoded;
  }
  return present;
}

function reply(res: ServerResponse, statusCode: number, body: string): void {
  res.writeHead(statusCode).end(body);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString()));
    req.on('error', reject);
  });
}

function isMethod(name: string): name is RpcMethod {
  return name === 'connect' || name === 'command' || name === 'disconnect';
}

export async function startHttpRpcServer(options: HttpRpcServerOptions = {}): Promise<TestHttpRpcServer> {
  const mountPath = options.mountPath ?? '/_anycable';
  const app = new RpcApp(options);
  const failures = new FailureScript<number>();
  const authorizations: (string | undefined)[] = [];

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    authorizations.push(req.headers.authorization);
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const method = path.startsWith(`${mountPath}/`) ? path.slice(mountPath.length + 1) : '';
    if (req.method !== 'POST') return reply(res, 404, 'Not found');
    if (options.secret !== undefined && req.headers.authorization !== `Bearer ${options.secret}`) {
      return reply(res, 401, 'Unauthorized');
    }
    if (!isMethod(method)) return reply(res, 404, 'Not found');
    const body = await readBody(req);
    if (body === '') return reply(res, 422, 'Empty request body');
    let request: RpcRequest<RpcMethod>;
    try {
      request = REQUEST_DECODERS[method](objectOf(JSON.parse(body)));
    } catch (error) {
      return reply(res, 422, `Invalid request body: ${String(error)}`);
    }
    const header = (name: string) => req.headers[`x-anycable-meta-${name}`] as string | undefined;
    const outcome = await app.handle(method, request, { sid: header('sid'), protov: header('protov') }, () =>
      failures.take(method),
    );
    if ('failure' in outcome) return reply(res, outcome.failure, '');
    reply(res, 200, JSON.stringify(responseJson(outcome.response as RpcResponse<RpcMethod>)));
  }

  const listener = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((error: unknown) => reply(res, 500, String(error)));
  };
  const server = options.tls ? createTlsServer(options.tls, listener) : createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}${mountPath}`;
  return new HttpTestServer(app, server, port, url, authorizations, failures);
}

class HttpTestServer extends TestRpcAppServer implements TestHttpRpcServer {
  constructor(
    app: RpcApp,
    private readonly server: Server,
    readonly port: number,
    readonly url: string,
    readonly authorizations: readonly (string | undefined)[],
    private readonly failures: FailureScript<number>,
  ) {
    super(app);
  }

  failNext(method: RpcMethod, count: number, statusCode: number): void {
    this.failures.failNext(method, count, statusCode);
  }

  protected async closeTransport(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
