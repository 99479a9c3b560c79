import type { Session } from './session';

/** How often silent clients are looked for; a no_pong comes at most this late. */
const SWEEP_INTERVAL_MS = 500;

/**
 * anycable-go's --enable_native_pings and --pong_timeout: a WebSocket ping frame goes out with every ping,
 * and a client that sends nothing (no frame, no pong) for the timeout after a ping is disconnected with
 * no_pong. Deadlines are kept only for sessions that were pinged and have not answered since.
 */
export class NativePings {
  private readonly deadlines = new Map<Session, number>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly sessions: () => Iterable<Session>,
    private readonly pongTimeoutMs: number,
    private readonly noPong: (session: Session) => void,
  ) {}

  /** The ping of `topic` went out: each of its sessions gets a ping frame and, if unarmed, a deadline. */
  pinged(topic: string): void {
    const deadline = Date.now() + this.pongTimeoutMs;
    for (const session of this.sessions()) {
      if (session.pingTopic !== topic || session.closed) continue;
      session.connection.ping();
      if (this.pongTimeoutMs > 0 && !this.deadlines.has(session)) this.deadlines.set(session, deadline);
    }
  }

  /** The client sent a frame or a pong. */
  answered(session: Session): void {
    if (this.deadlines.size > 0) this.deadlines.delete(session);
  }

  start(): void {
    if (this.pongTimeoutMs <= 0) return;
    this.timer = setInterval(() => this.sweep(), SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  sweep(now = Date.now()): void {
    for (const [session, deadline] of this.deadlines) {
      if (session.closed) this.deadlines.delete(session);
      else if (deadline <= now) {
        this.deadlines.delete(session);
        this.noPong(session);
      }
    }
  }
}
