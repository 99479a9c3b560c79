import type { StreamMessage } from '../../../shared/src/publication';
import type { Metrics } from '../../../shared/src/metrics';
import type { Traffic } from '../metrics/traffic';
import type { Connection, TopicPublisher } from '../session/connection';
import { dataFrame, frameMessage } from './frame';

/** The node's side of broadcasting: told when this node starts and stops serving a stream. */
export interface StreamListener {
  subscribe(stream: string): Promise<void>;
  unsubscribe(stream: string): void;
}

/** Connections subscribed to one stream under one channel identifier share one topic, hence one frame. */
interface IdentifierTopic {
  readonly topic: string;
  /** JSON.stringify(identifier), spliced into every frame of this topic. */
  readonly encodedIdentifier: string;
  subscribers: number;
}

interface StreamEntry {
  readonly topics: Map<string, IdentifierTopic>;
  /** Settles once the node hears the stream; null when it already does. */
  ready: Promise<void> | null;
}

/**
 * Maps stream → channel identifier → uWS topic. A broadcast is turned into one frame per distinct
 * identifier and handed to native code, which writes it to every subscriber: no JS loop over connections.
 */
export class Hub {
  private readonly streams = new Map<string, StreamEntry>();
  private topicCounter = 0;
  private readonly messagesTotal;
  private readonly deliveriesTotal;

  constructor(
    private readonly publisher: TopicPublisher,
    private readonly listener: StreamListener,
    private readonly findConnection: (sid: string) => Connection | undefined,
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

  /**
   * Subscribes a connection to a stream under an identifier. Returns a promise when the node has only now
   * started to listen for the stream (callers wait for it before confirming), undefined otherwise.
   */
  subscribe(connection: Connection, stream: string, identifier: string): Promise<void> | undefined {
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
    let topic = entry.topics.get(identifier);
    if (!topic) {
      topic = { topic: `#${(this.topicCounter++).toString(36)}`, encodedIdentifier: JSON.stringify(identifier), subscribers: 0 };
      entry.topics.set(identifier, topic);
    }
    topic.subscribers += 1;
    connection.subscribe(topic.topic);
    return entry.ready ?? undefined;
  }

  unsubscribe(connection: Connection, stream: string, identifier: string): void {
    const entry = this.streams.get(stream);
    const topic = entry?.topics.get(identifier);
    if (!entry || !topic) return;
    connection.unsubscribe(topic.topic);
    topic.subscribers -= 1;
    if (topic.subscribers > 0) return;
    entry.topics.delete(identifier);
    if (entry.topics.size > 0) return;
    this.streams.delete(stream);
    this.listener.unsubscribe(stream);
  }

  broadcast(message: StreamMessage): void {
    const entry = this.streams.get(message.stream);
    if (!entry) return;
    this.messagesTotal.inc();
    const payload = frameMessage(message.data);
    const type = message.meta?.broadcast_type;
    const excluded = message.meta?.exclude_socket;
    const sender = excluded === undefined ? undefined : this.findConnection(excluded);
    let deliveries = 0;
    for (const topic of entry.topics.values()) {
      const frame = dataFrame(topic.encodedIdentifier, payload, type);
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
