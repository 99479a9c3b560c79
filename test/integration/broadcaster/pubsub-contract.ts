import { waitFor } from '../../support/wait';
import { httpPost, type TestNode } from './harness';

/** A pub/sub between nodes, as the shared tests drive and observe it. */
export interface PubSubUnderTest {
  /** Nodes on this pub/sub, relaying once resolved. */
  nodes(...ids: string[]): Promise<TestNode[]>;
  /** Publishes text on a stream's channel or subject, as a peer not following the format would. */
  publishRaw(stream: string, text: string): Promise<void>;
  /** How many subscriptions the server holds for a stream's channel or subject. */
  subscriptions(stream: string): Promise<number>;
}

function post(node: TestNode, body: unknown): void {
  expect(httpPost(node, body)).toBe(201);
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

/** What every pub/sub between nodes promises, whatever carries it. */
export function describePubSubBetweenNodes(name: string, pubsub: PubSubUnderTest): void {
  describe(`the ${name} pub/sub between nodes`, () => {
    test('carries publications posted to node A to node B only while B serves their stream, in order', async () => {
      const [a, b] = (await pubsub.nodes('node-a', 'node-b')) as [TestNode, TestNode];
      await b.bus.subscribe('served');
      post(a, { stream: 'unserved', data: '"lost"' });
      post(a, { stream: 'served', data: '"first"' });
      post(a, [
        { stream: 'served', data: '"second"' },
        { stream: 'served', data: '"third"' },
      ]);

      await waitFor(() => b.recorder.messages.length === 3, 'three deliveries on B');
      expect(b.recorder.dataOf('served')).toEqual(['"first"', '"second"', '"third"']);
      expect(a.recorder.messages).toEqual([]);
    });

    test('subscribes a node only to the streams it serves, and unsubscribes after the last leaves', async () => {
      const [a, b] = (await pubsub.nodes('node-a', 'node-b')) as [TestNode, TestNode];
      await a.bus.subscribe('room:1');
      await b.bus.subscribe('room:1');
      await b.bus.subscribe('room:2');

      expect([await pubsub.subscriptions('room:1'), await pubsub.subscriptions('room:2')]).toEqual([2, 1]);
      expect(await b.metric('pubsub_subscribed_streams')).toBe(2);

      b.bus.unsubscribe('room:2');
      b.bus.unsubscribe('room:1');
      await waitFor(async () => (await pubsub.subscriptions('room:2')) === 0, 'room:2 unsubscribed');
      expect(await pubsub.subscriptions('room:1')).toBe(1);
      expect(await b.metric('pubsub_subscribed_streams')).toBe(0);
    });

    test('nets out subscribe and unsubscribe churn, within one event-loop turn and across turns', async () => {
      const [a] = (await pubsub.nodes('node-a')) as [TestNode];
      const first = a.bus.subscribe('x');
      a.bus.unsubscribe('x');
      const second = a.bus.subscribe('x');
      const dropped = a.bus.subscribe('y');
      a.bus.unsubscribe('y');
      await Promise.all([first, second, dropped]);

      const racing = a.bus.subscribe('z');
      await tick();
      a.bus.unsubscribe('z');
      await tick();
      const again = a.bus.subscribe('z');
      await Promise.all([racing, again]);
      for (let i = 0; i < 50; i += 1) {
        void a.bus.subscribe('w');
        a.bus.unsubscribe('w');
        await tick();
      }

      await waitFor(async () => (await pubsub.subscriptions('w')) === 0, 'w unsubscribed');
      const counts = [await pubsub.subscriptions('x'), await pubsub.subscriptions('y'), await pubsub.subscriptions('z')];
      expect(counts).toEqual([1, 0, 1]);
    });

    test('carries a message published by the gateway (a whisper) to the other nodes, meta included', async () => {
      const [a, b] = (await pubsub.nodes('node-a', 'node-b')) as [TestNode, TestNode];
      await b.bus.subscribe('presence');
      a.bus.publish({ stream: 'presence', data: '{"typing":true}', meta: { exclude_socket: 'sid-9', transient: true } });

      await waitFor(() => b.recorder.messages.length === 1, 'the whisper on B');
      expect(b.recorder.messages[0]).toEqual({
        stream: 'presence',
        data: '{"typing":true}',
        meta: { exclude_socket: 'sid-9', transient: true },
      });
    });

    test('counts and skips a malformed message on a stream, and delivers the next', async () => {
      const [b] = (await pubsub.nodes('node-b')) as [TestNode];
      await b.bus.subscribe('s');
      await pubsub.publishRaw('s', 'garbage');
      await pubsub.publishRaw('s', JSON.stringify({ stream: 's', data: '1' }));

      await waitFor(() => b.recorder.messages.length === 1, 'the good message');
      expect(b.recorder.dataOf('s')).toEqual(['1']);
      expect(await b.metric('failed_broadcast_msg_total')).toBe(1);
    });

    test('runs a remote command on every node, the one that received it included', async () => {
      const [a, b] = (await pubsub.nodes('node-a', 'node-b')) as [TestNode, TestNode];
      const command = { command: 'disconnect', payload: { identifier: 'user-1', reconnect: false } };
      post(a, command);

      await waitFor(() => a.recorder.commands.length === 1 && b.recorder.commands.length === 1, 'the command on both nodes');
      expect([a.recorder.commands, b.recorder.commands]).toEqual([[command], [command]]);
    });
  });
}
