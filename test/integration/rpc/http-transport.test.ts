import { status } from '@grpc/grpc-js';
import { HttpTransport } from '../../../gateway/src/rpc/http-transport';
import { startHttpRpcServer, type TestHttpRpcServer } from '../../support/http-rpc-server';
import { freePort } from '../../support/ports';
import { envFor } from './harness';

const SECRET = 'transport-secret';
const CONNECT = { env: envFor('username=ann') };

function transportFor(url: string, secret = SECRET): HttpTransport {
  return new HttpTransport({ kind: 'http', url: new URL(url), secret, tls: null }, 4);
}

const inSeconds = (seconds: number) => new Date(Date.now() + seconds * 1000);

describe('HttpTransport against the HTTP RPC test server', () => {
  let server: TestHttpRpcServer;
  let transport: HttpTransport;

  beforeEach(async () => {
    server = await startHttpRpcServer({ secret: SECRET });
    transport = transportFor(server.url);
  });

  afterEach(async () => {
    await transport.close(Date.now());
    await server.stop();
  });

  it('answers with the decoded response, having sent the token and the metadata', async () => {
    const response = await transport.call('connect', CONNECT, 'sid-ann', inSeconds(5));
    expect(response).toMatchObject({
      status: 'SUCCESS',
      identifiers: '{"current_user":"ann"}',
      env: { cstate: { user: 'ann' } },
    });
    expect(server.authorizations).toEqual([`Bearer ${SECRET}`]);
    expect(server.requests.connect[0]!.metadata).toEqual({ sid: 'sid-ann', protov: 'v1' });
  });

  it.each([
    [422, status.INVALID_ARGUMENT],
    [400, status.INVALID_ARGUMENT],
    [500, status.UNKNOWN],
    [503, status.UNKNOWN],
  ])('gives an answer with HTTP status %i the gRPC code %i', async (statusCode, code) => {
    server.failNext('command', 1, statusCode);
    const message = { command: 'subscribe' as const, identifier: '{}', connection_identifiers: '', env: envFor('') };
    await expect(transport.call('command', message, 'sid', inSeconds(5))).rejects.toMatchObject({ code });
  });

  it('gives a refused token Unauthenticated', async () => {
    const wrong = transportFor(server.url, 'wrong');
    await expect(wrong.call('connect', CONNECT, 'sid', inSeconds(5))).rejects.toMatchObject({
      code: status.UNAUTHENTICATED,
      message: 'http returned 401',
    });
    await wrong.close(Date.now());
  });

  it('gives an answer later than the deadline DeadlineExceeded', async () => {
    server.setDelay(500);
    await expect(
      transport.call('disconnect', { identifiers: '', subscriptions: [], env: envFor('') }, 'sid', inSeconds(0.1)),
    ).rejects.toMatchObject({
      code: status.DEADLINE_EXCEEDED,
    });
  });

  it('fails a call still queued behind busy connections at its own deadline', async () => {
    const single = new HttpTransport({ kind: 'http', url: new URL(server.url), secret: SECRET, tls: null }, 1);
    server.setDelay(1500);
    const slow = single.call('connect', CONNECT, 'sid-slow', inSeconds(5));
    const started = Date.now();
    await expect(single.call('connect', CONNECT, 'sid-queued', inSeconds(0.2))).rejects.toMatchObject({
      code: status.DEADLINE_EXCEEDED,
    });
    expect(Date.now() - started).toBeLessThan(1000);
    await expect(slow).resolves.toMatchObject({ status: 'SUCCESS' });
    // The queued request was dropped before it was sent: the server saw the slow one only.
    expect(server.requests.connect.map((call) => call.metadata.sid)).toEqual(['sid-slow']);
    await single.close(Date.now());
  });

  it('fails calls made after closing without retrying them', async () => {
    await transport.close(Date.now());
    await expect(transport.call('connect', CONNECT, 'sid', inSeconds(5))).rejects.toMatchObject({ code: status.CANCELLED });
  });
});

describe('HttpTransport with nothing listening', () => {
  it('gives a refused connection Unavailable, the code the caller retries', async () => {
    const transport = transportFor(`http://127.0.0.1:${await freePort()}/_anycable`);
    await expect(transport.call('connect', CONNECT, 'sid', inSeconds(5))).rejects.toMatchObject({
      code: status.UNAVAILABLE,
      message: expect.stringContaining('ECONNREFUSED'),
    });
    await transport.close(Date.now());
  });
});
