import type { AdapterContext } from '../../../broadcaster/src/adapters/adapter';
import { createHttpAdapter, MAX_HTTP_BROADCAST_BYTES } from '../../../broadcaster/src/adapters/http';
import type { HttpBroadcastEndpoint } from '../../../broadcaster/src/bus';
import type { Acceptance, PublicationSink } from '../../../broadcaster/src/sink';

function endpoint(
  key: string | null,
  { acceptance = 'taken', relayUp = true }: { acceptance?: Acceptance; relayUp?: boolean } = {},
): { endpoint: HttpBroadcastEndpoint; accepted: string[] } {
  const accepted: string[] = [];
  const sink: PublicationSink = {
    accept: (raw) => {
      accepted.push(raw);
      return acceptance;
    },
    acceptMessage: () => undefined,
    reject: () => undefined,
  };
  const config = { http: { port: 8090, path: '/_broadcast', key }, maxMessageBytes: 1000 };
  const context = { config, sink, relayUp: () => relayUp } as unknown as AdapterContext;
  return { endpoint: createHttpAdapter(context).endpoint!, accepted };
}

const body = Buffer.from('{"stream":"a","data":"1"}');

describe('the HTTP broadcast endpoint', () => {
  test('accepts a body with the exact bearer key and answers 201', () => {
    const { endpoint: http, accepted } = endpoint('k3y');
    expect(http.handle('Bearer k3y', body)).toBe(201);
    expect(accepted).toEqual(['{"stream":"a","data":"1"}']);
  });

  test.each([
    ['', 'missing'],
    ['Bearer wrong', 'wrong'],
    ['bearer k3y', 'lower-case scheme'],
    ['Bearer k3y ', 'trailing space'],
    ['k3y', 'no scheme'],
  ])('answers 401 to the authorization %j (%s) and takes nothing', (authorization) => {
    const { endpoint: http, accepted } = endpoint('k3y');
    expect(http.handle(authorization, body)).toBe(401);
    expect(accepted).toEqual([]);
  });

  test('needs no authorization when no key is configured', () => {
    const { endpoint: http, accepted } = endpoint(null);
    expect(http.handle('', body)).toBe(201);
    expect(accepted).toHaveLength(1);
  });

  test('answers 422 to an empty body', () => {
    const { endpoint: http, accepted } = endpoint(null);
    expect(http.handle('', Buffer.alloc(0))).toBe(422);
    expect(accepted).toEqual([]);
  });

  test('answers 201 to an unparseable body, which the sink counts and skips', () => {
    const { endpoint: http, accepted } = endpoint(null);
    expect(http.handle('', Buffer.from('{oops'))).toBe(201);
    expect(accepted).toEqual(['{oops']);
  });

  test('answers 503 and takes nothing while the pub/sub cannot carry the publication to the other nodes', () => {
    const { endpoint: http, accepted } = endpoint(null, { relayUp: false });
    expect(http.handle('', body)).toBe(503);
    expect(accepted).toEqual([]);
  });

  test('checks authorization before the body', () => {
    const { endpoint: http } = endpoint('k3y');
    expect(http.handle('', Buffer.alloc(0))).toBe(401);
  });

  test('tells the gateway where to mount it and how large a body may be', () => {
    const { endpoint: http } = endpoint(null);
    expect([http.port, http.path, http.maxBodySize]).toEqual([8090, '/_broadcast', MAX_HTTP_BROADCAST_BYTES]);
  });

  test('answers 413 to a body whose message no subscriber could take', () => {
    const { endpoint: http } = endpoint(null, { acceptance: 'oversized' });
    expect(http.handle('', body)).toBe(413);
  });

  test('refuses unread a single message declared larger than the limit, never a batch', () => {
    const { endpoint: http } = endpoint(null);
    expect(http.refusesUnread(1001, Buffer.from('  {"stream":'))).toBe(true);
    expect(http.refusesUnread(1000, Buffer.from('{"stream":'))).toBe(false);
    expect(http.refusesUnread(5000, Buffer.from('\n[{"stream":'))).toBe(false);
    expect(http.refusesUnread(5000, Buffer.from('   '))).toBe(false);
  });
});
