import { rawClient } from '../../support/clients';
import { freePort } from '../../support/ports';
import { rawHttp, rawHttpSequence } from '../../support/raw-http';
import { startGateway, type GatewayProcess } from '../../support/gateway';

/**
 * Every request a load balancer, proxy or monitor sends gets an answer, written byte by byte as they send
 * it: HTTP/1.0 (HAProxy's httpchk, nginx's default upstream version, curl --http1.0), HEAD, no Host.
 */
const BROADCAST = '{"stream":"demo","data":"\\"hi\\""}';
const UPGRADE_HEADERS =
  'Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n';

describe('HTTP requests as proxies and monitors send them', () => {
  let node: GatewayProcess;
  let metricsPort: number;

  beforeAll(async () => {
    metricsPort = await freePort();
    node = await startGateway({ public: true, metrics_http: '/metrics', metrics_port: metricsPort });
  });
  afterAll(() => node.stop());

  it.each([
    ['GET /health', () => node.broadcastPort, 'GET /health HTTP/1.0\r\n\r\n', 200, 'Ok'],
    ['GET /health on the metrics port', () => metricsPort, 'GET /health HTTP/1.0\r\n\r\n', 200, 'Ok'],
    ['GET /metrics', () => metricsPort, 'GET /metrics HTTP/1.0\r\n\r\n', 200, '# HELP'],
    [
      'POST /_broadcast',
      () => node.broadcastPort,
      `POST /_broadcast HTTP/1.0\r\nContent-Length: ${BROADCAST.length}\r\n\r\n${BROADCAST}`,
      201,
      '',
    ],
  ])('HTTP/1.0 %s: a complete answer, then the connection closes', async (_name, port, request, status, bodyStart) => {
    const answer = await rawHttp(port(), request);
    expect(answer.closed).toBe(true);
    expect(answer.status).toBe(status);
    expect(answer.body.length).toBe(Number(answer.headers['content-length']));
    expect(answer.body.startsWith(bodyStart)).toBe(true);
  });

  it('delivers what an HTTP/1.0 POST /_broadcast carries', async () => {
    const client = await rawClient(node.url);
    await client.welcome();
    client.send({ command: 'subscribe', identifier: JSON.stringify({ channel: '$pubsub', stream_name: 'demo' }) });
    await client.next((frame) => frame.type === 'confirm_subscription');
    const answer = await rawHttp(
      node.broadcastPort,
      `POST /_broadcast HTTP/1.0\r\nContent-Length: ${BROADCAST.length}\r\n\r\n${BROADCAST}`,
    );
    expect(answer.status).toBe(201);
    await client.next((frame) => frame.message === 'hi', 'the broadcast');
    client.close();
  });

  it('delivers a broadcast whose body comes in pieces intact, on the WebSocket port too', async () => {
    const port = await freePort();
    const sharing = await startGateway({ public: true, port, http_broadcast_port: port });
    try {
      for (const target of [node, sharing]) {
        const client = await rawClient(target.url);
        await client.welcome();
        client.send({ command: 'subscribe', identifier: JSON.stringify({ channel: '$pubsub', stream_name: 'pieces' }) });
        await client.next((frame) => frame.type === 'confirm_subscription');
        const sent = [1, 2].map((part) => ({ part, text: `part-${part}-`.padEnd(3000, String(part)) }));
        const body = JSON.stringify(sent.map((message) => ({ stream: 'pieces', data: JSON.stringify(message) })));
        const head = `POST /_broadcast HTTP/1.1\r\nHost: cableway\r\nContent-Length: ${body.length}\r\n\r\n`;
        const third = Math.ceil(body.length / 3);
        const pieces = [head + body.slice(0, third), body.slice(third, 2 * third), body.slice(2 * third)];
        const answer = await rawHttp(target.broadcastPort, pieces);
        // As anycable-go answers: 201, no body, no Content-Type.
        expect([answer.status, answer.body, answer.headers['content-type']]).toEqual([201, '', undefined]);
        for (const message of sent) {
          await client.next((frame) => JSON.stringify(frame.message) === JSON.stringify(message), `part ${message.part}`);
        }
        client.close();
      }
    } finally {
      await sharing.stop();
    }
  });

  it('keeps an HTTP/1.0 connection open when keep-alive was asked for', async () => {
    const request = 'GET /health HTTP/1.0\r\nConnection: keep-alive\r\n\r\n';
    const answers = await rawHttpSequence(node.broadcastPort, [request, request]);
    expect(answers.map((answer) => [answer.status, answer.body, answer.headers.connection?.toLowerCase()])).toEqual([
      [200, 'Ok', 'keep-alive'],
      [200, 'Ok', 'keep-alive'],
    ]);
    expect(answers[1]!.closed).toBe(false);
  });

  it('refuses a broadcast body over the limit with 413 before reading it', async () => {
    const answer = await rawHttp(
      node.broadcastPort,
      'POST /_broadcast HTTP/1.1\r\nHost: cableway\r\nContent-Length: 1073741824\r\n\r\n{',
    );
    expect(answer.status).toBe(413);
    expect(answer.closed).toBe(true);
  });

  it('answers HTTP/1.1 without Host with 400', async () => {
    for (const port of [node.broadcastPort, metricsPort]) {
      const answer = await rawHttp(port, 'GET /health HTTP/1.1\r\n\r\n');
      expect(answer.status).toBe(400);
      expect(answer.closed).toBe(true);
    }
  });

  it('answers HEAD /health with its headers and no body, on the WebSocket port too', async () => {
    const head = 'HEAD /health HTTP/1.1\r\nHost: cableway\r\n\r\n';
    const get = 'GET /health HTTP/1.1\r\nHost: cableway\r\n\r\n';
    for (const port of [node.port, node.broadcastPort]) {
      const answers = await rawHttpSequence(port, [head, get], 300);
      expect(answers.map((answer) => [answer.status, answer.headers['content-type'], answer.body])).toEqual([
        [200, 'text/plain', ''],
        [200, 'text/plain', 'Ok'],
      ]);
      // uWS leaves Content-Length out of HEAD answers (RFC 9110 allows it); when sent, it is the GET's.
      expect([undefined, '2']).toContain(answers[0]!.headers['content-length']);
    }
  });

  it('answers an HTTP/1.0 WebSocket upgrade with 400', async () => {
    const answer = await rawHttp(node.broadcastPort, `GET /cable HTTP/1.0\r\n${UPGRADE_HEADERS}\r\n`);
    expect(answer.closed).toBe(true);
    expect(answer.status).toBe(400);
    expect(answer.body).toBe('WebSocket upgrades require HTTP/1.1');
  });

  it('still upgrades HTTP/1.1 WebSocket requests on the main port', async () => {
    const answer = await rawHttp(node.port, `GET /cable HTTP/1.1\r\nHost: cableway\r\n${UPGRADE_HEADERS}\r\n`, 500);
    expect(answer.status).toBe(101);
  });
});
