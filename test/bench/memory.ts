import { startGateway } from '../support/gateway';
import { closeAll, connectTimed, pool, subscribe } from './load';
import { residentBytes, startReferenceServer } from './processes';
import { printTable } from './stats';

async function settle(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 1500));
}

/** Resident memory per idle connection, each subscribed to a stream of its own, next to bare uWS. */
export async function benchMemory(clients: number): Promise<void> {
  const gateway = await startGateway({ public: true, log_level: 'warn' });
  const reference = await startReferenceServer();
  try {
    const rows = [];
    for (const server of [
      { name: 'Cableway', url: gateway.url, pid: gateway.pid },
      { name: 'bare uWS reference', url: `ws://127.0.0.1:${reference.port}/cable`, pid: reference.pid },
    ]) {
      await settle();
      const before = await residentBytes(server.pid);
      const sockets = (await pool(clients, 100, () => connectTimed(server.url))).map((result) => result.ws);
      await pool(clients, 100, (index) =>
        subscribe(sockets[index]!, JSON.stringify({ channel: '$pubsub', stream_name: `idle-${index}` })),
      );
      await settle();
      const after = await residentBytes(server.pid);
      rows.push({
        server: server.name,
        connections: clients,
        'RSS before': `${(before / 2 ** 20).toFixed(1)} MiB`,
        'RSS after': `${(after / 2 ** 20).toFixed(1)} MiB`,
        'per connection': `${((after - before) / clients / 1024).toFixed(2)} KiB`,
      });
      closeAll(sockets);
    }
    printTable(
      `Idle memory: ${clients} connections, one stream subscription each (user space; the kernel adds ~4 KiB per socket)`,
      rows,
    );
  } finally {
    reference.stop();
    await gateway.stop();
  }
}
