import WebSocket from 'ws';
import { metricValue, type GatewayProcess } from '../support/gateway';
import { waitFor } from '../support/wait';

export interface ConnectOptions {
  readonly headers?: Record<string, string>;
  readonly protocols?: string[];
}

/** Opens a connection and resolves with it and the milliseconds until its welcome frame. */
export function connectTimed(url: string, options: ConnectOptions = {}): Promise<{ ws: WebSocket; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const ws = new WebSocket(url, options.protocols ?? ['actioncable-v1-json'], { headers: options.headers ?? {} });
    const onMessage = (data: WebSocket.RawData) => {
      if (!data.toString().includes('"welcome"')) return;
      ws.off('message', onMessage);
      resolve({ ws, ms: Number(process.hrtime.bigint() - started) / 1e6 });
    };
    ws.on('message', onMessage);
    ws.once('error', reject);
    ws.once('close', (code) => reject(new Error(`closed with ${code} before welcome`)));
  });
}

/** Runs `task` for indexes 0..count-1 with at most `concurrency` at once, results in index order. */
export async function pool<T>(count: number, concurrency: number, task: (index: number) => Promise<T>): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  const workers = Array.from({ length: Math.min(concurrency, count) }, async () => {
    while (next < count) {
      const index = next++;
      results[index] = await task(index);
    }
  });
  await Promise.all(workers);
  return results;
}

/** Subscribes a raw connection and resolves on the confirmation. */
export function subscribe(ws: WebSocket, identifier: string): Promise<void> {
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData) => {
      const text = data.toString();
      if (!text.includes('confirm_subscription')) return;
      ws.off('message', onMessage);
      resolve();
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify({ command: 'subscribe', identifier }));
  });
}

export function closeAll(sockets: readonly WebSocket[]): void {
  for (const ws of sockets) ws.terminate();
}

/** Every session of `gateway` closed and every Disconnect call made (the queue sends 100 per second). */
export function drained(gateway: GatewayProcess): Promise<true> {
  return waitFor(
    async () =>
      (await metricValue(gateway.httpUrl, 'cableway_clients_num')) === 0 &&
      (await metricValue(gateway.httpUrl, 'cableway_disconnect_queue_size')) === 0,
    'sessions and Disconnect calls to drain',
    60_000,
    100,
  );
}
