import { Metrics } from '../../../shared/src/metrics';
import { Traffic } from '../../../gateway/src/metrics/traffic';
import { Hub, type StreamListener } from '../../../gateway/src/hub/hub';
import { BROADCAST_ENCODERS, dataFrame, frameMessage } from '../../../gateway/src/hub/frame';
import type { Connection, TopicPublisher } from '../../../gateway/src/core/connection';
import type { ProtocolName } from '../../../gateway/src/core/protocol';
import type { StreamSubscriber } from '../../../gateway/src/core/streams';

/** A connection recording its topics, and its own subscriber; publishing to others goes through the recorder too. */
class RecordingConnection implements Connection, StreamSubscriber {
  readonly topics = new Set<string>();
  readonly connection = this;
  /** Frames written to this connection alone. */
  readonly sent: string[] = [];
  constructor(
    private readonly published: Array<[string, string, string?]>,
    readonly protocol: ProtocolName,
  ) {}
  send(frames: readonly string[]): void {
    this.sent.push(...frames);
  }
  subscribe(topic: string): void {
    this.topics.add(topic);
  }
  unsubscribe(topic: string): void {
    this.topics.delete(topic);
  }
  publishToOthers(topic: string, frame: string): boolean {
    if (!this.topics.has(topic)) return false;
    this.published.push([topic, frame, 'excluding sender']);
    return true;
  }
  ping(): void {}
  bufferedAmount(): number {
    return 0;
  }
  close(): void {}
}

function setup() {
  const published: Array<[string, string, string?]> = [];
  const publisher: TopicPublisher = { publish: (topic, frame) => void published.push([topic, frame]) };
  const listened: string[] = [];
  const listener: StreamListener = {
    subscribe: (stream) => {
      listened.push(`+${stream}`);
      return Promise.resolve();
    },
    unsubscribe: (stream) => void listened.push(`-${stream}`),
  };
  const connections = new Map<string, RecordingConnection>();
  const metrics = new Metrics('test_');
  const traffic = new Traffic(metrics);
  const hub = new Hub(publisher, listener, (sid) => connections.get(sid), BROADCAST_ENCODERS, traffic, metrics);
  const connect = (sid: string, protocol: ProtocolName = 'actioncable-v1-json') => {
    const connection = new RecordingConnection(published, protocol);
    connections.set(sid, connection);
    return connection;
  };
  return { hub, published, listened, connect, traffic };
}

describe('hub', () => {
  it('builds one frame per distinct identifier and publishes it once to its topic', () => {
    const { hub, published, connect } = setup();
    const a = connect('a');
    const b = connect('b');
    const c = connect('c');
    hub.subscribe(a, 'chat', '{"channel":"Chat","id":1}');
    hub.subscribe(b, 'chat', '{"channel":"Chat","id":1}');
    hub.subscribe(c, 'chat', '{"id":1,"channel":"Chat"}');
    hub.broadcast({ stream: 'chat', data: '{"text":"hi"}' });
    expect(published).toHaveLength(2);
    expect(published.map(([, frame]) => JSON.parse(frame))).toEqual([
      { identifier: '{"channel":"Chat","id":1}', message: { text: 'hi' } },
      { identifier: '{"id":1,"channel":"Chat"}', message: { text: 'hi' } },
    ]);
    expect([...a.topics]).toEqual([...b.topics]);
    expect([...a.topics]).not.toEqual([...c.topics]);
  });

  it('listens for a stream on its first subscriber and stops after its last', () => {
    const { hub, listened, connect } = setup();
    const a = connect('a');
    const b = connect('b');
    expect(hub.subscribe(a, 's', 'i')).toBeInstanceOf(Promise);
    hub.subscribe(b, 's', 'j');
    hub.unsubscribe(a, 's', 'i');
    expect(listened).toEqual(['+s']);
    hub.unsubscribe(b, 's', 'j');
    expect(listened).toEqual(['+s', '-s']);
    expect(hub.streamCount).toBe(0);
  });

  it('ignores broadcasts for streams nobody here serves', () => {
    const { hub, published } = setup();
    hub.broadcast({ stream: 'nobody', data: '1' });
    expect(published).toHaveLength(0);
  });

  it('counts every frame the fan-out writes, and its bytes', () => {
    const { hub, connect, traffic } = setup();
    hub.subscribe(connect('a'), 's', 'i');
    hub.subscribe(connect('b'), 's', 'i');
    hub.subscribe(connect('c'), 's', 'j');
    hub.broadcast({ stream: 's', data: '"é"' });
    expect(traffic.framesSent).toBe(3);
    expect(traffic.bytesSent).toBe(
      2 * Buffer.byteLength('{"identifier":"i","message":"é"}') + Buffer.byteLength('{"identifier":"j","message":"é"}'),
    );
  });

  it('publishes from the excluded socket so that it alone does not receive the message', () => {
    const { hub, published, connect } = setup();
    const a = connect('sid-a');
    hub.subscribe(a, 's', 'i');
    hub.subscribe(connect('sid-b'), 's', 'i');
    hub.broadcast({ stream: 's', data: '"x"', meta: { exclude_socket: 'sid-a' } });
    expect(published).toEqual([[expect.any(String), '{"identifier":"i","message":"x"}', 'excluding sender']]);
  });

  it('puts broadcast_type first as the frame type', () => {
    const { hub, published, connect } = setup();
    hub.subscribe(connect('a'), 's', 'i');
    hub.broadcast({ stream: 's', data: '{"type":"join"}', meta: { broadcast_type: 'presence' } });
    expect(published[0]![1]).toBe('{"type":"presence","identifier":"i","message":{"type":"join"}}');
  });
});

describe('hub with the extended protocol', () => {
  const at = (offset: number) => ({ epoch: 'e1', offset });
  const positioned = (offset: number) => ({ stream: 's', data: String(offset), position: at(offset) });

  it('gives extended clients the position of a message and plain clients the frame of today', () => {
    const { hub, published, connect } = setup();
    hub.subscribe(connect('plain'), 's', 'i');
    hub.subscribe(connect('ext', 'actioncable-v1-ext-json'), 's', 'i');
    hub.broadcast({ stream: 's', data: '{"a":1}', position: at(7) });
    expect(published.map(([, frame]) => frame)).toEqual([
      '{"identifier":"i","message":{"a":1}}',
      '{"identifier":"i","message":{"a":1},"stream_id":"s","epoch":"e1","offset":7}',
    ]);
  });

  it('holds a subscription until its history is written, then writes what came meanwhile, once, in order', () => {
    const { hub, connect, published } = setup();
    const client = connect('ext', 'actioncable-v1-ext-json');
    hub.subscribe(client, 's', 'i', true);
    hub.broadcast(positioned(4));
    hub.broadcast(positioned(5));
    expect(client.sent).toEqual([]);
    // The history read gave 3..4: 4 came live too and must not be written twice.
    hub.release(client, 's', 'i', [positioned(3), positioned(4)], at(2));
    expect(client.sent.map((frame) => JSON.parse(frame).offset)).toEqual([3, 4, 5]);
    hub.broadcast(positioned(6));
    expect(client.topics.size).toBe(1);
    expect(published.map(([, frame]) => JSON.parse(frame).offset)).toEqual([6]);
  });

  it('keeps a released subscription out of its topic until live delivery passes what its history gave', () => {
    const { hub, connect, published } = setup();
    const client = connect('ext', 'actioncable-v1-ext-json');
    hub.subscribe(client, 's', 'i', true);
    hub.broadcast(positioned(1));
    // The history already holds 2 and 3, which this node has not delivered yet.
    hub.release(client, 's', 'i', [positioned(2), positioned(3)], at(1));
    expect(client.topics.size).toBe(0);
    hub.broadcast(positioned(2));
    hub.broadcast(positioned(3));
    hub.broadcast(positioned(4));
    expect(client.sent.map((frame) => JSON.parse(frame).offset)).toEqual([2, 3]);
    expect(client.topics.size).toBe(1);
    expect(published.map(([, frame]) => JSON.parse(frame).offset)).toEqual([4]);
  });

  it('holds a live subscription again for a new history request', () => {
    const { hub, connect } = setup();
    const client = connect('ext', 'actioncable-v1-ext-json');
    hub.subscribe(client, 's', 'i');
    hub.hold(client, 's', 'i');
    expect(client.topics.size).toBe(0);
    hub.broadcast(positioned(1));
    hub.release(client, 's', 'i', [], null);
    expect(client.sent.map((frame) => JSON.parse(frame).offset)).toEqual([1]);
    expect(client.topics.size).toBe(1);
  });

  it('stops listening for a stream whose last, held, subscriber leaves', () => {
    const { hub, connect, listened } = setup();
    const client = connect('ext', 'actioncable-v1-ext-json');
    hub.subscribe(client, 's', 'i', true);
    hub.unsubscribe(client, 's', 'i');
    expect(listened).toEqual(['+s', '-s']);
  });
});

describe('broadcast frames', () => {
  it('splices JSON data as it is and sends anything else as a string', () => {
    expect(frameMessage('{"a": [1, 2]}')).toBe('{"a": [1, 2]}');
    expect(frameMessage('"<turbo-stream>"')).toBe('"<turbo-stream>"');
    expect(frameMessage('not json')).toBe('"not json"');
    expect(frameMessage('null')).toBe('"null"');
    expect(frameMessage('')).toBe('""');
  });

  it('encodes the identifier once and keeps it byte for byte', () => {
    const identifier = '{"channel":"Turbo::StreamsChannel","signed_stream_name":"a--b","x":"ü"}';
    const frame = dataFrame(JSON.stringify(identifier), '1');
    expect(JSON.parse(frame).identifier).toBe(identifier);
  });
});
