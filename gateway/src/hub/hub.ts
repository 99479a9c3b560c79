import type { StreamMessage } from '../../../shared/src/publication';
import type { Metrics } from '../../../shared/src/metrics';
import type { Traffic } from '../metrics/traffic';
import type { Connection, TopicPublisher } from '../core/connection';
import type { ProtocolName } from '../core/protocol';
import type { StreamRouter, StreamSubscriber } from '../core/streams';
import { frameMessage, type BroadcastEncoder } from './frame';

/** The node's side of broadcasting: told when this node starts and stops serving a stream. */
export interface StreamListener {
  subscribe(stream: string): Promise<void>;
  unsubscribe(stream: string): void;
}

/** Each protocol's encoding of a broadcast frame. */
export type BroadcastEncoders = Readonly<Record<ProtocolName, BroadcastEncoder>>;

/**
 * Connections subscribed to one stream under one channel identifier with one protocol share one topic,
 * hence one frame.
 */
interface IdentifierTopic {
  readonly topic: string;
  /** JSON.stringify(identifier), spliced into every frame of this topic. */
  readonly encodedIdentifier: string;
  readonly encode: BroadcastEncoder;
  subscribers: number;
}

interface StreamEntry {
  /** By topicKey(protocol, identifier). */
  readonly topics: Map<string, IdentifierTopic>;
  /** Settles once the node hears the stream; null when it already does. */
  ready: Promise<void> | null;
}

/** Protocol names hold no space, so this key is unique per (protocol, identifier). */
function topicKey(protocol: ProtocolName, identifier: string): string {
  return `${protocol} ${identifier}`;
}

/**
 * Maps stream → (protocol, channel identifier) → uWS topic. A broadcast is turned into one frame per
 * distinct pair and handed to native code, which writes it to every subscriber: no JS loop over connections.
 */
export class Hub implements StreamRouter {
  private readonly streams = new Map<string, StreamEntry>();
  private topicCounter = 0;
  private readonly messagesTotal;
  private readonly deliveriesTotal;

  constructor(
    private readonly publisher: TopicPublisher,
    private readonly listener: StreamListener,
    private readonly findConnection: (sid: string) => Connection | undefined,
    private readonly encoders: BroadcastEncoders,
    private readonly traffic: Traffic,
    metrics: Metrics,
  ) {
    this.messagesTotal = metrics.counter('broadcast_msg_total', 'Messages handed to this node for its subscribers');
    this.deliveriesTotal = metrics.counter(
      'broadcast_deliveries_total',
      'Frames of broadcast messages handed to client connections (fan-out)',
    );
    metrics.gauge('broadcast_streams_num', 'Streams with subscribers on this node', () => this.streams.size);
  }

  subscribe(subscriber: StreamSubscriber, stream: string, identifier: string): Promise<void> | undefined {
    let entry = this.streams.get(stream);
    if (!entry) {
      const ready = this.listener.subscribe(stream);
      entry = { topics: new Map(), ready };
      const created = entry;
      ready.then(
        () => {
          created.ready = null;
        },
        () => {
          created.ready = null;
        },
      );
      this.streams.set(stream, entry);
    }
    const key = topicKey(subscriber.protocol, identifier);
    let topic = entry.topics.get(key);
    if (!topic) {
      topic = {
        topic: `#${(this.topicCounter++).toString(36)}`,
        encodedIdentifier: JSON.stringify(identifier),
        encode: this.encoders[subscriber.protocol],
        subscribers: 0,
      };
      entry.topics.set(key, topic);
    }
    topic.subscribers += 1;
    subscriber.connection.subscribe(topic.topic);
    return entry.ready ?? undefined;
  }

  unsubscribe(subscriber: StreamSubscriber, stream: string, identifier: string): void {
    const entry = this.streams.get(stream);
    const key = topicKey(subscriber.protocol, identifier);
    const topic = entry?.topics.get(key);
    if (!entry || !topic) return;
    subscriber.connection.unsubscribe(topic.topic);
    topic.subscribers -= 1;
    if (topic.subscribers > 0) return;
    entry.topics.delete(key);
    if (entry.topics.size > 0) return;
    this.streams.delete(stream);
    this.listener.unsubscribe(stream);
  }

  broadcast(message: StreamMessage): void {
    const entry = this.streams.get(message.stream);
    if (!entry) return;
    this.messagesTotal.inc();
    const payload = frameMessage(message.data);
    const excluded = message.meta?.exclude_socket;
    const sender = excluded === undefined ? undefined : this.findConnection(excluded);
    let deliveries = 0;
    for (const topic of entry.topics.values()) {
      const frame = topic.encode(topic.encodedIdentifier, payload, message);
      let count = topic.subscribers;
      if (sender?.publishToOthers(topic.topic, frame)) count -= 1;
      else this.publisher.publish(topic.topic, frame);
      this.traffic.sent(frame, count);
      deliveries += count;
    }
    this.deliveriesTotal.inc(deliveries);
  }

  get streamCount(): number {
    return this.streams.size;
  }
}
