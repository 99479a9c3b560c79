/**
 * Requests sent over a message port, each answered once by id. A request whose answer never comes (the
 * other side went away) settles with `fallback` after `timeoutMs`.
 */
export class Replies<T> {
  private nextId = 1;
  private readonly waiting = new Map<number, (value: T) => void>();

  constructor(
    private readonly timeoutMs: number,
    private readonly fallback: T,
  ) {}

  /** Registers a request; `send` posts it with its id. */
  request(send: (id: number) => void): Promise<T> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.settle(id, this.fallback), this.timeoutMs);
      timer.unref();
      this.waiting.set(id, (value) => {
        clearTimeout(timer);
        resolve(value);
      });
      send(id);
    });
  }

  settle(id: number, value: T): void {
    const resolve = this.waiting.get(id);
    if (!resolve) return;
    this.waiting.delete(id);
    resolve(value);
  }
}
