import type { Metrics } from '../../../shared/src/metrics';

/**
 * What the node writes and reads on its WebSockets, counted as plain numbers on the hot paths (fan-out
 * counts a whole publication at once) and reported when Prometheus scrapes.
 */
export class Traffic {
  /** Frames written to clients, pings left out (anycable-go's server_msg_total). */
  framesSent = 0;
  /** Bytes of every frame written, pings included. */
  bytesSent = 0;
  bytesReceived = 0;

  constructor(metrics: Metrics) {
    metrics.counterOf('server_msg_total', 'Frames written to clients, pings left out', () => this.framesSent);
    metrics.counterOf('data_sent_total', 'Bytes of the frames written to clients', () => this.bytesSent);
    metrics.counterOf('data_rcvd_total', 'Bytes of the frames received from clients', () => this.bytesReceived);
  }

  /** `count` copies of one frame went out. */
  sent(frame: string, count: number): void {
    this.framesSent += count;
    this.bytesSent += Buffer.byteLength(frame) * count;
  }

  pinged(frame: string, count: number): void {
    this.bytesSent += Buffer.byteLength(frame) * count;
  }
}
