import { MessageChannel, type MessagePort } from 'node:worker_threads';
import type { StreamMessage } from '../../../shared/src/publication';
import type { PrimaryMessage, WorkerMessage, WorkerStart } from '../../../gateway/src/workers/messages';
import { WorkerBus } from '../../../gateway/src/workers/worker-bus';

const START: WorkerStart = {
  index: 0,
  argv: [],
  env: {},
  nodeId: 'n1',
  port: 8080,
  intake: { port: 8080, path: '/_broadcast', maxBodySize: 1024 },
  degraded: [],
};

/** A worker's bus on one end of a real MessageChannel; the test plays the primary on the other. */
function connected() {
  const channel = new MessageChannel();
  const fromWorker: WorkerMessage[] = [];
  channel.port2.on('message', (message: WorkerMessage) => fromWorker.push(message));
  const bus = new WorkerBus(channel.port1 as MessagePort, START, () => Promise.resolve([]));
  channel.port1.on('message', (message: PrimaryMessage) => bus.receive(message, { shutdown() {}, abort() {} }));
  const primary = (message: PrimaryMessage) => channel.port2.postMessage(message);
  const close = () => {
    channel.port1.close();
    channel.port2.close();
  };
  return { bus, fromWorker, primary, close };
}

const waitFor = async (check: () => boolean) => {
  for (let tries = 0; tries < 100 && !check(); tries += 1) await new Promise((resolve) => setTimeout(resolve, 5));
};

describe('WorkerBus', () => {
  it('asks the primary for a stream and resolves every subscribe of it on the acknowledgement', async () => {
    const { bus, fromWorker, primary, close } = connected();
    let resolved = 0;
    void bus.subscribe('s').then(() => (resolved += 1));
    void bus.subscribe('s').then(() => (resolved += 1));
    await waitFor(() => fromWorker.length === 2);
    expect(fromWorker).toEqual([
      { type: 'subscribe', stream: 's' },
      { type: 'subscribe', stream: 's' },
    ]);
    expect(resolved).toBe(0);
    primary({ type: 'subscribed', stream: 's' });
    await waitFor(() => resolved === 2);
    expect(resolved).toBe(2);
    close();
  });

  it('hands delivered messages and remote commands to the node, in order', async () => {
    const { bus, primary, close } = connected();
    const delivered: string[] = [];
    await bus.start({
      deliver: (message) => delivered.push(message.data),
      execute: (command) => delivered.push(command.command),
    });
    const message = (data: string): StreamMessage => ({ stream: 's', data });
    primary({ type: 'deliver', messages: [message('1'), message('2')] });
    primary({ type: 'execute', command: { command: 'disconnect', payload: { identifier: 'u', reconnect: false } } });
    await waitFor(() => delivered.length === 3);
    expect(delivered).toEqual(['1', '2', 'disconnect']);
    close();
  });

  it('answers a broadcast on the WebSocket port with the status the primary gives, and reports its health', async () => {
    const { bus, fromWorker, primary, close } = connected();
    const status = bus.intake!.handle('Bearer k', Buffer.from('{"stream":"s","data":"1"}'));
    await waitFor(() => fromWorker.length === 1);
    const request = fromWorker[0] as Extract<WorkerMessage, { type: 'broadcast' }>;
    expect(request).toMatchObject({ type: 'broadcast', authorization: 'Bearer k' });
    expect(Buffer.from(request.body).toString()).toBe('{"stream":"s","data":"1"}');
    primary({ type: 'broadcast-status', id: request.id, status: 201 });
    await expect(status).resolves.toBe(201);

    expect(bus.health().degraded).toEqual([]);
    primary({ type: 'health', degraded: ['redis'] });
    await waitFor(() => bus.health().degraded.length === 1);
    expect(bus.health().degraded).toEqual(['redis']);
    close();
  });
});
