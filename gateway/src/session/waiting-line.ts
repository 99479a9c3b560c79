/**
 * The commands of one session waiting behind the one being handled. uWS cannot pause reading one socket,
 * so the line is bounded; when it is full, the oldest waiting command gives way. A client's latest
 * commands (a valid subscribe sent after a flood) so keep their place, and a flood only ever pushes out
 * the flooder's own older commands, never blocks what it sends next.
 */
export class WaitingLine<T> {
  private readonly items: T[] = [];

  constructor(private readonly capacity: number) {}

  /** Adds `item` at the end; returns the oldest item when it had to give way, else undefined. */
  push(item: T): T | undefined {
    const evicted = this.items.length >= this.capacity ? this.items.shift() : undefined;
    this.items.push(item);
    return evicted;
  }

  shift(): T | undefined {
    return this.items.shift();
  }
}
