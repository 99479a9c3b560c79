import { connect } from 'node:net';
import { Redis } from 'ioredis';
import { rawClient, type RawClient } from '../../support/clients';
import { metricValue, postBroadcast, startGateway, type GatewayProcess } from '../../support/gateway';
import { startRedisServer, type RedisServer } from '../../support/redis-server';

/** A broadcast no subscriber could take (SPEC §2.9): refused on every input, its stream's subscribers untouched. */
let redis: RedisServer;
let publisher: Redis;
let gateway: GatewayProcess;
let subscriber: RawClient;

const STREAM = 'big-news';
const identifier = JSON.stringify({ channel: '$pubsub', stream_name: STREAM });
const TEN_MB = 10 * 1024 * 1024;
let sequence = 0;

beforeAll(async () => {
  redis = await startRedisServer();
  publisher = new Redis(redis.url);
  gateway = await startGateway({
    noauth: true,
    public_streams: true,
    norpc: true,
    redis_url: redis.url,
    broadcast_adapter: 'http,redis,redisx',
    metrics_http: '/metrics',
    log_level: 'info',
  });
  subscriber = await rawClient(gateway.url);
  await subscriber.welcome();
  subscriber.send({ command: 'subscribe', identifier });
  await subscriber.next((frame) => frame.type === 'confirm_subscription', 'the subscription');
});

afterAll(async () => {
  subscriber?.close();
  await gateway?.stop();
  publisher?.disconnect();
  await redis?.stop();
});

/**
 * Sends a POST declaring `contentLength` bytes, and only `head` of its body; resolves with the status
 * answered, which can then only come from what was declared and the first bytes.
 */
function statusOfPartialBody(port: number, contentLength: number, head: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(
        `POST /_broadcast HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${contentLength}\r\n\r\n${head}`,
      );
    });
    let answer = '';
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString();
      const status = /^HTTP\/1\.1 (\d{3})/.exec(answer);
      if (!status) return;
      socket.destroy();
      resolve(Number(status[1]));
    });
    socket.on('error', reject);
  });
}

const oversized = () => JSON.stringify({ stream: STREAM, data: JSON.stringify('x'.repeat(TEN_MB)) });
const failedBroadcasts = () => metricValue(gateway.httpUrl, 'cableway_failed_broadcast_msg_total');

/** What the subscriber must have received so far, in order: every normal broadcast, nothing oversized. */
const expected: string[] = [];

/** A normal broadcast still reaches the subscriber, which is still connected and got nothing else. */
async function subscriberGetsTheNextBroadcast(): Promise<void> {
  sequence += 1;
  const marker = `normal-${sequence}`;
  expect(await postBroadcast(gateway.broadcastUrl, { stream: STREAM, data: JSON.stringify(marker) })).toBe(201);
  expected.push(marker);
  await subscriber.next((frame) => frame.message === marker, marker);
  expect(subscriber.closeCode).toBeNull();
  const delivered = subscriber.messages().filter((frame) => frame.identifier === identifier && frame.message !== undefined);
  expect(delivered.map((frame) => frame.message)).toEqual(expected);
}

describe('an oversized publication', () => {
  it('gets 413 over HTTP, from its Content-Length, and is never delivered', async () => {
    // Only the start of the body is sent: one message, declared larger than any subscriber could take.
    expect(await statusOfPartialBody(gateway.broadcastPort, TEN_MB + 100, `{"stream":"${STREAM}","data":"xxxx`)).toBe(413);
    // A body over the cap of any publication, batches included, is refused from its headers alone.
    expect(await statusOfPartialBody(gateway.broadcastPort, 17 * 1024 * 1024, '')).toBe(413);
    expect(await postBroadcast(gateway.broadcastUrl, oversized())).toBe(413);
    await subscriberGetsTheNextBroadcast();
  });

  it('over HTTP in a batch is skipped, and the batch delivers its other messages', async () => {
    const large = JSON.stringify('y'.repeat(600 * 1024));
    const batch = [
      { stream: STREAM, data: '"batch-1"' },
      { stream: STREAM, data: large },
      { stream: STREAM, data: JSON.stringify('x'.repeat(2 * 1024 * 1024)) },
      { stream: STREAM, data: '"batch-2"' },
    ];
    const failedBefore = await failedBroadcasts();
    expect(await postBroadcast(gateway.broadcastUrl, batch)).toBe(201);
    await subscriber.next((frame) => frame.message === 'batch-2', 'the end of the batch');
    expected.push('batch-1', JSON.parse(large) as string, 'batch-2');
    expect(await failedBroadcasts()).toBe(failedBefore + 1);
    await subscriberGetsTheNextBroadcast();
  });

  it.each([
    ['redis', (raw: string) => publisher.publish('__anycable__', raw)],
    ['redisx', (raw: string) => publisher.xadd('__anycable__', '*', 'payload', raw)],
  ])('on %s is counted, logged once, and never delivered', async (adapter, publish) => {
    const failedBefore = await failedBroadcasts();
    const loggedBefore = gateway.output.filter((line) => line.includes('over max_broadcast_size')).length;
    await publish(oversized());
    await gateway.waitForOutput(new RegExp(`source=${adapter} .*over max_broadcast_size`));
    expect(await failedBroadcasts()).toBe(failedBefore + 1);
    expect(gateway.output.filter((line) => line.includes('over max_broadcast_size')).length).toBe(loggedBefore + 1);
    await subscriberGetsTheNextBroadcast();
  });
});
