import net from 'node:net';

/**
 * A TCP load balancer in front of gateway nodes, as clients see one: new connections go to the current
 * target, and `cut` drops every open connection at once without a WebSocket close, as a lost network does.
 */
export interface Balancer {
  readonly port: number;
  /** ws://127.0.0.1:<port>/cable */
  readonly url: string;
  target(port: number): void;
  cut(): void;
  close(): Promise<void>;
}

export async function startBalancer(initialTarget: number): Promise<Balancer> {
  let targetPort = initialTarget;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  const cut = () => {
    for (const socket of sockets) socket.destroy();
  };
  return {
    port,
    url: `ws://127.0.0.1:${port}/cable`,
    target(next) {
      targetPort = next;
    },
    cut,
    close() {
      cut();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
