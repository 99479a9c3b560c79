import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A TCP relay to a Redis or NATS port that can go silent: `silence()` stops passing the server's bytes to the
 * connections open at that moment, while their sockets stay up — a half-open link, as after a failover.
 * `stall()` holds the bytes of those connections either way until `resume()`, as a congested link or a
 * paused process would. Connections opened later pass traffic normally.
 */
export interface SilencingProxy {
  readonly port: number;
  /** redis://127.0.0.1:<port> */
  readonly url: string;
  silence(): void;
  stall(): void;
  resume(): void;
  close(): Promise<void>;
}

export async function startSilencingProxy(targetPort: number): Promise<SilencingProxy> {
  const pairs = new Set<{ client: Socket; upstream: Socket; silenced: boolean }>();
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    const pair = { client, upstream, silenced: false };
    pairs.add(pair);
    client.on('data', (chunk) => upstream.write(chunk));
    upstream.on('data', (chunk) => {
      if (!pair.silenced) client.write(chunk);
    });
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    silence() {
      for (const pair of pairs) pair.silenced = true;
    },
    stall() {
      for (const pair of pairs) (pair.client.pause(), pair.upstream.pause());
    },
    resume() {
      for (const pair of pairs) (pair.client.resume(), pair.upstream.resume());
    },
    close() {
      for (const pair of pairs) {
        pair.client.destroy();
        pair.upstream.destroy();
      }
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
