import type { StreamMessage, StreamPosition } from '../../../shared/src/publication';
import type { Metrics } from '../../../shared/src/metrics';
import type { Traffic } from '../metrics/traffic';
import type { Connection, TopicPublisher } from '../core/connection';
import type { ProtocolName } from '../core/protocol';
import type { StreamRouter, StreamSubscriber } from '../core/streams';
import { frameMessage, type BroadcastEncoder } from './frame';
import { HeldSubscription } from './held';

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
  /** Subscriptions catching up on their history, written to one by one until they join their topic. */
  readonly held: HeldSubscription[];
  /** Settles once the node hears the stream; null when it already does. */
  ready: Promise<void> | null;
  /** Position of the last positioned message delivered here. */
  last: StreamPosition | null;
}

/** Protocol names hold no space, so this key is unique per (protocol, identifier). */
function topicKey(protocol: ProtocolName, identifier: string): string {
  return `${protocol} ${identifier}`;
}

/**
 * Maps stream → (protocol, channel identifier) → uWS topic. A broadcast is turned into one frame per
 * distinct pair and handed to native code, which writes it to every subscriber: no JS loop over connections.
 * The one exception is a subscription catching up on its history: it is held out of its topic and written
 * to from here until it has caught up, so it gets every message once and in order.
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

  subscribe(subscriber: StreamSubscriber, stream: string, identifier: string, held = false): Promise<void> | undefined {
    const entry = this.entryFor(stream);
    if (held) entry.held.push(new HeldSubscription(subscriber, identifier, this.encoders[subscriber.protocol]));
    else this.join(entry, subscriber, identifier);
    return entry.ready ?? undefined;
  }

  hold(subscriber: StreamSubscriber, stream: string, identifier: string): void {
    const entry = this.streams.get(stream);
    if (!entry || this.findHeld(entry, subscriber, identifier) !== -1) return;
    if (!this.leave(entry, subscriber, identifier)) return;
    entry.held.push(new HeldSubscription(subscriber, identifier, this.encoders[subscriber.protocol]));
  }

  release(
    subscriber: StreamSubscriber,
    stream: string,
    identifier: string,
    backlog: readonly StreamMessage[],
    seen: StreamPosition | null,
  ): void {
    const entry = this.streams.get(stream);
    const index = entry ? this.findHeld(entry, subscriber, identifier) : -1;
    if (!entry || index === -1) return;
    const held = entry.held[index]!;
    held.catchUp(backlog, seen);
    if (held.caughtUpWith(entry.last)) this.joinHeld(entry, index);
  }

  unsubscribe(subscriber: StreamSubscriber, stream: string, identifier: string): void {
    const entry = this.streams.get(stream);
    if (!entry) return;
    const index = this.findHeld(entry, subscriber, identifier);
    if (index !== -1) entry.held.splice(index, 1);
    else if (!this.leave(entry, subscriber, identifier)) return;
    if (entry.topics.size > 0 || entry.held.length > 0) return;
    this.streams.delete(stream);
    this.listener.unsubscribe(stream);
  }

  broadcast(message: StreamMessage): void {
    const entry = this.streams.get(message.stream);
    if (!entry) return;
    this.messagesTotal.inc();
    if (message.position) entry.last = message.position;
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
    if (entry.held.length > 0) deliveries += this.deliverToHeld(entry, message, payload, sender);
    this.deliveriesTotal.inc(deliveries);
  }

  get streamCount(): number {
    return this.streams.size;
  }

  private deliverToHeld(entry: StreamEntry, message: StreamMessage, payload: string, sender: Connection | undefined): number {
    let deliveries = 0;
    for (let index = entry.held.length - 1; index >= 0; index -= 1) {
      const held = entry.held[index]!;
      if (held.subscriber.connection === sender) continue;
      if (held.take(message, payload)) deliveries += 1;
      if (held.caughtUpWith(entry.last)) this.joinHeld(entry, index);
    }
    return deliveries;
  }

  private entryFor(stream: string): StreamEntry {
    const existing = this.streams.get(stream);
    if (existing) return existing;
    const ready = this.listener.subscribe(stream);
    const entry: StreamEntry = { topics: new Map(), held: [], ready, last: null };
    const settled = () => {
      entry.ready = null;
    };
    ready.then(settled, settled);
    this.streams.set(stream, entry);
    return entry;
  }

  private join(entry: StreamEntry, subscriber: StreamSubscriber, identifier: string): void {
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
  }

  /** Takes a subscriber out of its topic; false when it was not in it. */
  private leave(entry: StreamEntry, subscriber: StreamSubscriber, identifier: string): boolean {
    const key = topicKey(subscriber.protocol, identifier);
    const topic = entry.topics.get(key);
    if (!topic) return false;
    subscriber.connection.unsubscribe(topic.topic);
    topic.subscribers -= 1;
    if (topic.subscribers === 0) entry.topics.delete(key);
    return true;
  }

  private joinHeld(entry: StreamEntry, index: number): void {
    const [held] = entry.held.splice(index, 1);
    this.join(entry, held!.subscriber, held!.identifier);
  }

  private findHeld(entry: StreamEntry, subscriber: StreamSubscriber, identifier: string): number {
    return entry.held.findIndex((held) => held.subscriber === subscriber && held.identifier === identifier);
  }
}
