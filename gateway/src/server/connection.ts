import type { Traffic } from '../metrics/traffic';
import type { Connection } from '../core/connection';
import type { Session } from '../session/session';
import type { Handshake } from '../core/handshake';
import type { WaitingLine } from '../session/waiting-line';
import type { WebSocket } from './uws';

/** What uWS keeps per socket: the request until it opens, its session once authenticated. */
export interface SocketData {
  handshake: Handshake | null;
  pingTopic: string | null;
  connection: UwsConnection | null;
  session: Session | null;
  /** True while the socket is being authenticated. */
  admitting: boolean;
  /** Frames that arrived while it was (null until the first one). */
  early: WaitingLine<string> | null;
}

/** A uWS socket seen as a session's Connection. uWS throws on a closed socket, so every call is guarded. */
export class UwsConnection implements Connection {
  closed = false;

  constructor(
    private readonly ws: WebSocket<SocketData>,
    private readonly traffic: Traffic,
  ) {}

  /** Runs `writes` with the socket corked, so what they send leaves in one write. */
  corked<T>(writes: () => T): T {
    let result: T;
    this.ws.cork(() => {
      result = writes();
    });
    return result!;
  }

  send(frames: readonly string[]): void {
    if (this.closed || frames.length === 0) return;
    for (const frame of frames) this.traffic.sent(frame, 1);
    if (frames.length === 1) {
      this.ws.send(frames[0]!, false, false);
      return;
    }
    this.ws.cork(() => {
      for (const frame of frames) this.ws.send(frame, false, false);
    });
  }

  subscribe(topic: string): void {
    if (!this.closed) this.ws.subscribe(topic);
  }

  unsubscribe(topic: string): void {
    if (!this.closed) this.ws.unsubscribe(topic);
  }

  publishToOthers(topic: string, frame: string): boolean {
    if (this.closed || !this.ws.isSubscribed(topic)) return false;
    this.ws.publish(topic, frame, false, false);
    return true;
  }

  ping(): void {
    if (!this.closed) this.ws.ping();
  }

  bufferedAmount(): number {
    return this.closed ? 0 : this.ws.getBufferedAmount();
  }

  close(code: number, reason: string): void {
    if (!this.closed) this.ws.end(code, reason);
  }
}
