import WebSocket from 'ws';
import { metricValue, startGateway, type GatewayProcess } from '../support/gateway';
import { startRedisServer } from '../support/redis-server';
import { fanoutRow, fanoutThroughNode, fanoutThroughReference } from './fanout';
import { subscribe } from './load';
import { profilingArgs, startReferenceServer } from './processes';
import { formatMs, printTable, summarize } from './stats';

const EXTENDED = { protocols: ['actioncable-v1-ext-json'] };

/**
 * The cost of reliable streams: the same fan-out (extended-protocol clients, HTTP broadcasts, Redis pub/sub)
 * with the redis broker off and on, next to the bare uWS reference; and the time a dropped client takes to
 * be restored on reconnect and catch up on 100 messages it missed.
 */
export async function benchReliable(clients: number, messages: number, batch: number, restores: number): Promise<void> {
  const redis = await startRedisServer();
  const reference = await startReferenceServer();
  try {
    const rows = [];
    // Plain clients get the same frames either way, so their rows show the broker's own cost; extended
    // clients also pay for the longer, positioned frames.
    for (const protocol of ['actioncable-v1-json', 'actioncable-v1-ext-json']) {
      for (const broker of ['none', 'redis'] as const) {
        const flags = { public: true, log_level: 'warn', redis_url: redis.url, broker, metrics_http: '/metrics' };
        const node = await startGateway(flags, {}, { nodeArgs: profilingArgs() });
        try {
          // Read just before and just after the measured run: the uncounted run before it writes too.
          const readings: number[] = [];
          const sample = async () => void readings.push(await metricValue(node.httpUrl, 'cableway_history_writes_total'));
          const result = await fanoutThroughNode(node, { clients, messages, batch }, protocol, sample);
          const writes = readings[1]! - readings[0]!;
          rows.push({ server: `Cableway, ${protocol}, broker ${broker}`, ...fanoutRow(result), 'history writes': writes });
        } finally {
          await node.stop();
        }
      }
    }
    const bare = await fanoutThroughReference(reference, { clients, messages, batch });
    rows.push({ server: 'bare uWS reference', ...fanoutRow(bare), 'history writes': '-' });
    printTable(
      `Fan-out with and without the redis broker: ${messages} broadcasts to ${clients} subscribers, ${batch} per HTTP request`,
      rows,
    );

    const node = await startGateway({ public: true, log_level: 'warn', redis_url: redis.url, broker: 'redis' });
    try {
      const times = [];
      for (let round = 0; round < restores; round += 1) times.push(await restoreAndCatchUp(node, `restore-${round}`, 100));
      const summary = summarize(times);
      printTable(`Restore a dropped session and catch up 100 missed messages (${restores} rounds, broker redis)`, [
        { p50: formatMs(summary.p50), p99: formatMs(summary.p99) },
      ]);
    } finally {
      await node.stop();
    }
  } finally {
    reference.stop();
    await redis.stop();
  }
}

/** An extended-protocol connection and the sid its welcome gave. */
function openWithSid(url: string): Promise<{ ws: WebSocket; sid: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, EXTENDED.protocols);
    const onMessage = (data: WebSocket.RawData) => {
      const frame = JSON.parse(data.toString()) as { type?: string; sid?: string };
      if (frame.type !== 'welcome') return;
      ws.off('message', onMessage);
      resolve({ ws, sid: frame.sid ?? '' });
    };
    ws.on('message', onMessage);
    ws.once('error', reject);
  });
}

/** Milliseconds from reconnecting with the old sid to the last of `missed` messages and confirm_history. */
async function restoreAndCatchUp(node: GatewayProcess, stream: string, missed: number): Promise<number> {
  const identifier = JSON.stringify({ channel: '$pubsub', stream_name: stream });
  const first = await openWithSid(node.url);
  const sid = first.sid;
  await subscribe(first.ws, identifier);
  const positioned = new Promise<{ epoch: string; offset: number }>((resolve) => {
    first.ws.on('message', (data: WebSocket.RawData) => {
      const frame = JSON.parse(data.toString()) as { epoch?: string; offset?: number };
      if (frame.epoch && frame.offset) resolve({ epoch: frame.epoch, offset: frame.offset });
    });
  });
  await fetch(node.broadcastUrl, { method: 'POST', body: JSON.stringify({ stream, data: '{"n":0}' }) });
  const position = await positioned;
  first.ws.terminate();
  const batch = Array.from({ length: missed }, (_, n) => ({ stream, data: JSON.stringify({ n: n + 1 }) }));
  await fetch(node.broadcastUrl, { method: 'POST', body: JSON.stringify(batch) });

  const started = performance.now();
  const second = new WebSocket(`${node.url}?sid=${sid}`, EXTENDED.protocols);
  await new Promise<void>((resolve, reject) => {
    let received = 0;
    // A restore that never catches up fails the run instead of holding it.
    const deadline = setTimeout(
      () => reject(new Error(`restore of ${stream} not caught up within 10 s (${received} of ${missed})`)),
      10_000,
    );
    const finish = (error?: Error) => {
      clearTimeout(deadline);
      if (error) reject(error);
      else resolve();
    };
    second.on('message', (data: WebSocket.RawData) => {
      const frame = JSON.parse(data.toString()) as { type?: string; restored?: boolean; message?: unknown };
      if (frame.type === 'welcome') {
        if (!frame.restored) finish(new Error('the session was not restored'));
        second.send(JSON.stringify({ command: 'history', identifier, history: { streams: { [stream]: position } } }));
      } else if (frame.message !== undefined && frame.type === undefined) received += 1;
      else if (frame.type === 'confirm_history') {
        finish(received === missed ? undefined : new Error(`caught up ${received} of ${missed} messages`));
      }
    });
  });
  const ms = performance.now() - started;
  second.terminate();
  return ms;
}
