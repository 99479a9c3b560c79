import { rawClient, type RawClient } from '../../support/clients';
import { postBroadcast, startGateway, type GatewayProcess } from '../../support/gateway';
import { startRpcServer, type TestRpcServer } from '../../support/rpc-server';
import { waitFor } from '../../support/wait';

/** Clients flooding a node in front of a real RPC server: their last command and everyone else still get served. */
let rpc: TestRpcServer;
let gateway: GatewayProcess;

beforeAll(async () => {
  rpc = await startRpcServer();
  gateway = await startGateway({ rpc_host: rpc.address, log_level: 'info' });
});

afterAll(async () => {
  await gateway?.stop();
  await rpc?.stop();
});

const FLOODERS = 10;
const JUNK_FRAMES = 10_000;
const TICK_MS = 20;

const chat = (room: string) => JSON.stringify({ channel: 'ChatChannel', room });

/** Malformed frames of every kind, and every fifth a subscribe the Rails app has to be asked about (and rejects). */
function junk(i: number): string {
  switch (i % 5) {
    case 0:
      return JSON.stringify({ command: 'subscribe', identifier: JSON.stringify({ channel: 'NoSuchChannel', n: i }) });
    case 1:
      return '{not json';
    case 2:
      return JSON.stringify({ command: 'dance' });
    case 3:
      return JSON.stringify({ command: 'message', identifier: chat('never-subscribed'), data: '{}' });
    default:
      return '[1,2,3]';
  }
}

async function connected(user: string): Promise<RawClient> {
  const client = await rawClient(gateway.url, { headers: { cookie: `username=${user}` } });
  await client.welcome();
  return client;
}

/**
 * The first frame about `identifier`, watched as frames arrive: polling a flooder's thousands of rejections
 * would cost the test process more than the node it measures.
 */
function answerTo(client: RawClient, identifier: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer to ${identifier}`)), 15_000);
    const watch = (data: Buffer) => {
      const frame = JSON.parse(data.toString()) as Record<string, unknown>;
      if (frame.identifier !== identifier) return;
      clearTimeout(timer);
      client.ws.off('message', watch);
      resolve(frame);
    };
    client.ws.on('message', watch);
  });
}

describe('a flooding client', () => {
  it('gets its valid subscribe sent after its junk confirmed within 5 s, and an observer misses no tick', async () => {
    const observer = await connected('observer');
    observer.send({ command: 'subscribe', identifier: chat('ticks') });
    await observer.next((frame) => frame.type === 'confirm_subscription', 'the observer confirmed');
    const flooders = await Promise.all(Array.from({ length: FLOODERS }, (_, n) => connected(`flooder${n}`)));

    // One publisher, one request at a time: the order it publishes in is the order the observer must see.
    let sent = 0;
    const statuses: number[] = [];
    let publishing = Promise.resolve();
    const ticker = setInterval(() => {
      const tick = JSON.stringify({ tick: sent });
      sent += 1;
      publishing = publishing.then(async () => {
        statuses.push(await postBroadcast(gateway.broadcastUrl, { stream: 'chat_ticks', data: tick }).catch(() => 0));
      });
    }, TICK_MS);
    try {
      const answered = flooders.map((client, n) => {
        for (let i = 0; i < JUNK_FRAMES; i += 1) client.send(junk(i));
        const subscribe = JSON.stringify({ command: 'subscribe', identifier: chat(`flood${n}`) });
        // Timed from when the subscribe has left for the node, behind all the junk written before it.
        const written = new Promise<number>((resolve) => client.ws.send(subscribe, () => resolve(Date.now())));
        const answer = answerTo(client, chat(`flood${n}`));
        return Promise.all([written, answer]).then(([sentAt, frame]) => ({ frame, ms: Date.now() - sentAt }));
      });
      for (const { frame, ms } of await Promise.all(answered)) {
        expect(frame.type).toBe('confirm_subscription');
        expect(ms).toBeLessThan(5_000);
      }
    } finally {
      clearInterval(ticker);
      await publishing;
    }
    expect(rpc.calls.command).toBeGreaterThan(FLOODERS);
    expect(statuses).toEqual(Array.from({ length: sent }, () => 201));
    const ticks = await waitFor(() => {
      const received = observer.messages().filter((frame) => frame.identifier === chat('ticks') && frame.message !== undefined);
      return received.length >= sent && received.map((frame) => (frame.message as { tick: number }).tick);
    }, `${sent} ticks`);
    expect(ticks).toEqual(Array.from({ length: sent }, (_, i) => i));
    for (const client of [observer, ...flooders]) client.close();
  });
});
