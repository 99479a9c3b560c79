import { Agent, request } from 'undici';
import { actionCableClient, rawClient, type RawClient } from '../../support/clients';
import { runCli, startGateway, type GatewayProcess } from '../../support/gateway';
import { freePort } from '../../support/ports';
import { startHttpRpcServer } from '../../support/http-rpc-server';
import { startRpcServer, type TestRpcServer } from '../../support/rpc-server';
import { selfSignedCertificate, type SelfSignedCertificate } from '../../support/tls';
import { waitFor } from '../../support/wait';

/** Whether the client was welcomed, else its close code. */
function outcomeOf(client: RawClient): Promise<'welcome' | number> {
  const welcomed = () => client.messages().some((frame) => frame.type === 'welcome');
  return waitFor(() => (welcomed() ? 'welcome' : (client.closeCode ?? undefined)), 'a welcome or a close');
}

let certificate: SelfSignedCertificate;

beforeAll(async () => {
  certificate = await selfSignedCertificate();
});

afterAll(async () => {
  await certificate?.remove();
});

describe('the TLS listener (--ssl_cert, --ssl_key)', () => {
  let rpc: TestRpcServer;
  let gateway: GatewayProcess;
  let trusted: Agent;

  beforeAll(async () => {
    trusted = new Agent({ connect: { ca: certificate.cert } });
    let broadcast = async (_stream: string, _data: string) => undefined as void;
    rpc = await startRpcServer({ broadcast: (stream, data) => broadcast(stream, data) });
    const port = await freePort();
    gateway = await startGateway({
      port,
      http_broadcast_port: port,
      rpc_host: rpc.address,
      ssl_cert: certificate.certPath,
      ssl_key: certificate.keyPath,
      broadcast_key: 'tls-broadcast-key',
      metrics_http: '/metrics',
    });
    broadcast = async (stream, data) => {
      const response = await request(`${gateway.httpUrl}/_broadcast`, {
        method: 'POST',
        headers: { authorization: 'Bearer tls-broadcast-key', 'content-type': 'application/json' },
        body: JSON.stringify({ stream, data }),
        dispatcher: trusted,
      });
      await response.body.dump();
      if (response.statusCode !== 201) throw new Error(`broadcast answered ${response.statusCode}`);
    };
  });

  afterAll(async () => {
    await gateway?.stop();
    await rpc?.stop();
    await trusted?.close();
  });

  it('welcomes @rails/actioncable over wss://, and the broadcast POSTed over https:// on the same port arrives', async () => {
    expect(gateway.url).toMatch(/^wss:/);
    const client = actionCableClient(gateway.url, { cookie: 'username=tess' }, certificate.cert);
    const { subscription, recorder } = client.subscribe({ channel: 'ChatChannel', room: 'tls' });
    await recorder.confirmed();
    subscription.perform('speak', { message: 'encrypted' });
    expect(await recorder.messages(1)).toEqual([{ text: 'encrypted', from: 'tess' }]);
    client.close();
  });

  it('tells the Rails app the request came over https://', async () => {
    const client = await rawClient(`${gateway.url}?q=1`, {
      headers: { cookie: 'username=uma', 'x-request-id': 'sid-uma' },
      ca: certificate.cert,
    });
    await client.welcome();
    const connect = rpc.requests.connect.find((call) => call.metadata.sid === 'sid-uma')!;
    expect(connect.request.env.url).toBe(`https://127.0.0.1:${gateway.port}/cable?q=1`);
    client.close();
  });

  it('serves health and metrics over TLS on the same port, and nothing in plain text', async () => {
    const health = await request(`${gateway.httpUrl}/health`, { dispatcher: trusted });
    expect(health.statusCode).toBe(200);
    await health.body.dump();
    const metrics = await request(`${gateway.httpUrl}/metrics`, { dispatcher: trusted });
    expect(await metrics.body.text()).toContain('cableway_clients_num');
    await expect(fetch(`http://127.0.0.1:${gateway.port}/health`)).rejects.toThrow();
  });

  it('is not trusted by a client that does not know the certificate', async () => {
    await expect(rawClient(gateway.url, { headers: { cookie: 'username=vic' } })).rejects.toThrow(/self[- ]signed/i);
  });
});

describe('a certificate that cannot be read', () => {
  it('stops the node at start with a line naming the files', async () => {
    const { code, stdout } = await runCli([
      '--host=127.0.0.1',
      '--port=0',
      '--norpc',
      '--ssl_cert=/nonexistent/cert.pem',
      '--ssl_key=/nonexistent/key.pem',
    ]);
    expect(code).toBe(1);
    expect(stdout).toContain('--ssl_cert=/nonexistent/cert.pem --ssl_key=/nonexistent/key.pem: cannot be read');
  });
});

describe('gRPC over TLS', () => {
  let rpc: TestRpcServer;

  beforeAll(async () => {
    rpc = await startRpcServer({ tls: { cert: certificate.cert, key: certificate.key } });
  });

  afterAll(async () => {
    await rpc?.stop();
  });

  async function connectThrough(
    flags: Record<string, string | boolean>,
    env: NodeJS.ProcessEnv = {},
  ): Promise<number | 'welcome'> {
    const gateway = await startGateway({ rpc_host: rpc.address, rpc_command_timeout: 1000, ...flags }, env);
    try {
      const client = await rawClient(gateway.url, { headers: { cookie: 'username=wes' } });
      const outcome = await outcomeOf(client);
      client.close();
      return outcome;
    } finally {
      await gateway.stop();
    }
  }

  it('reaches a server whose CA is given as a file (--rpc_tls_root_ca implies --rpc_enable_tls)', async () => {
    expect(await connectThrough({ rpc_tls_root_ca: certificate.certPath })).toBe('welcome');
  });

  it('takes the CA as PEM contents too', async () => {
    expect(await connectThrough({ rpc_enable_tls: true }, { ANYCABLE_RPC_TLS_ROOT_CA: certificate.cert.toString() })).toBe(
      'welcome',
    );
  });

  it('refuses a server the system CAs do not vouch for, unless --rpc_tls_verify=false', async () => {
    expect(await connectThrough({ rpc_enable_tls: true })).toBe(1011);
    expect(await connectThrough({ rpc_enable_tls: true, rpc_tls_verify: false })).toBe('welcome');
  });

  it('cannot talk to the TLS server without TLS', async () => {
    expect(await connectThrough({})).toBe(1011);
  });
});

describe('RPC over HTTPS', () => {
  it('trusts the Rails app by --rpc_tls_root_ca, and refuses it without', async () => {
    const rpc = await startHttpRpcServer({ tls: { cert: certificate.cert, key: certificate.key } });
    try {
      for (const [flags, expected] of [
        [{ rpc_tls_root_ca: certificate.certPath }, 'welcome'],
        [{}, 1011],
      ] as const) {
        const gateway = await startGateway({ rpc_host: rpc.url, rpc_command_timeout: 1000, ...flags });
        try {
          const client = await rawClient(gateway.url, { headers: { cookie: 'username=xia' } });
          expect(await outcomeOf(client)).toBe(expected);
          client.close();
        } finally {
          await gateway.stop();
        }
      }
      expect(rpc.calls.connect).toBe(1);
    } finally {
      await rpc.stop();
    }
  });
});
