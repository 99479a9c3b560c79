import { Metrics } from '../../../shared/src/metrics';
import { Traffic } from '../../../gateway/src/metrics/traffic';
import { Hub, type StreamListener } from '../../../gateway/src/hub/hub';
import { dataFrame, encodePlainBroadcast, frameMessage } from '../../../gateway/src/hub/frame';
import type { Connection, TopicPublisher } from '../../../gateway/src/core/connection';
import type { ProtocolName } from '../../../gateway/src/core/protocol';
import type { StreamSubscriber } from '../../../gateway/src/core/streams';

/** A connection recording its topics, and its own subscriber; publishing to others goes through the recorder too. */
class RecordingConnection implements Connection, StreamSubscriber {
  readonly topics = new Set<string>();
  readonly connection = this;
  readonly protocol: ProtocolName = 'actioncable-v1-json';
  constructor(private readonly published: Array<[string, string, string?]>) {}
  send(): void {}
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
  const encoders = { 'actioncable-v1-json': encodePlainBroadcast };
  const hub = new Hub(publisher, listener, (sid) => connections.get(sid), encoders, traffic, metrics);
  const connect = (sid: string) => {
    const connection = new RecordingConnection(published);
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
