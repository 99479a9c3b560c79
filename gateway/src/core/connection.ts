/**
 * The transport a session writes to. The uWS implementation lives in server/; nothing else sees uWS.
 * Every method is a no-op once the connection has closed.
 */
export interface Connection {
  /** Sends frames in one write. */
  send(frames: readonly string[]): void;
  /** Starts receiving what is published on `topic`. */
  subscribe(topic: string): void;
  unsubscribe(topic: string): void;
  /**
   * Publishes on `topic` to every subscriber but this connection. Returns false, publishing nothing, when
   * this connection is not subscribed to `topic`.
   */
  publishToOthers(topic: string, frame: string): boolean;
  /** Sends a WebSocket ping frame (the client answers with a pong frame). */
  ping(): void;
  /** Bytes written to the connection that the client has not taken yet. */
  bufferedAmount(): number;
  /** Closes with a close frame after what is already buffered. */
  close(code: number, reason: string): void;
}

/** Publishes a frame to every connection subscribed to a topic, in native code. */
export interface TopicPublisher {
  publish(topic: string, frame: string): void;
}
