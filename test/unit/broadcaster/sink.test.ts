import type { DeliveryHandler } from '../../../broadcaster/src/bus';
import type { BroadcastCounters } from '../../../broadcaster/src/metrics';
import { createPublicationSink } from '../../../broadcaster/src/sink';
import { createLogger } from '../../../shared/src/logger';
import type { RemoteCommand, StreamMessage } from '../../../shared/src/publication';

function sinkFor(countsPublications: boolean, maxMessageBytes = 0) {
  const delivered: StreamMessage[] = [];
  const executed: RemoteCommand[] = [];
  const counts = { publications: 0, failed: 0 };
  const logs: string[] = [];
  const target: DeliveryHandler = { deliver: (m) => delivered.push(m), execute: (c) => executed.push(c) };
  const counters: Pick<BroadcastCounters, 'publications' | 'failedPublications'> = {
    publications: { inc: () => (counts.publications += 1) },
    failedPublications: { inc: () => (counts.failed += 1) },
  };
  const logger = createLogger({ level: 'info', format: 'text', sink: (line) => logs.push(line) });
  const sink = createPublicationSink({ source: 'test', target, countsPublications, maxMessageBytes, counters, logger });
  return { sink, delivered, executed, counts, logs };
}

describe('the publication sink', () => {
  test('hands the messages of a batch to its target in order, and counts the batch once', () => {
    const s = sinkFor(true);
    s.sink.accept('[{"stream":"a","data":"1"},{"stream":"b","data":"2"},{"stream":"a","data":"3"}]');

    expect(s.delivered.map((m) => `${m.stream}:${m.data}`)).toEqual(['a:1', 'b:2', 'a:3']);
    expect(s.counts.publications).toBe(1);
  });

  test('hands a remote command to its target', () => {
    const s = sinkFor(true);
    s.sink.accept('{"command":"disconnect","payload":{"identifier":"u","reconnect":false}}');

    expect(s.executed).toEqual([{ command: 'disconnect', payload: { identifier: 'u', reconnect: false } }]);
  });

  test('does not count what a fan-out input receives', () => {
    const s = sinkFor(false);
    s.sink.accept('{"stream":"a","data":"1"}');

    expect([s.delivered.length, s.counts.publications]).toEqual([1, 0]);
  });

  test('counts, logs and skips a malformed publication', () => {
    const s = sinkFor(true);
    expect(s.sink.accept('{"stream":"a","data":{"not":"a string"}}')).toBe('invalid');

    expect([s.delivered.length, s.counts.failed, s.counts.publications]).toEqual([0, 1, 0]);
    expect(s.logs[0]).toContain('invalid broadcast publication');
  });

  test('rate-limits the log lines of a flood of malformed publications', () => {
    const s = sinkFor(true);
    for (let i = 0; i < 100; i += 1) s.sink.accept('nope');

    expect(s.counts.failed).toBe(100);
    expect(s.logs.length).toBeLessThanOrEqual(10);
  });

  test('delivers a bare message whose data is JSON, and rejects one whose data is not', () => {
    const s = sinkFor(false);
    s.sink.acceptMessage('chat', '{"text":"hi"}');
    s.sink.acceptMessage('chat', '<p>hi</p>');

    expect(s.delivered).toEqual([{ stream: 'chat', data: '{"text":"hi"}' }]);
    expect(s.counts.failed).toBe(1);
  });

  test('refuses a message larger than the limit, once, and delivers the rest of its batch', () => {
    const s = sinkFor(true, 8);
    const batch = [
      { stream: 'a', data: '"small"' },
      { stream: 'a', data: '"far too large"' },
      { stream: 'a', data: '1' },
    ];
    expect(s.sink.accept(JSON.stringify(batch))).toBe('taken');
    expect(s.sink.accept(JSON.stringify({ stream: 'b', data: '"far too large"' }))).toBe('oversized');
    s.sink.acceptMessage('c', '"far too large"');

    expect(s.delivered.map((m) => m.data)).toEqual(['"small"', '1']);
    expect(s.counts.failed).toBe(3);
    expect(s.logs).toHaveLength(3);
    expect(s.logs[0]).toContain('15 bytes, over max_broadcast_size (8): not delivered');
  });
});
