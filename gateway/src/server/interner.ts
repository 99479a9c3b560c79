/**
 * Hands out one copy of each string it has seen, so that values most connections share (the request URL,
 * the peer address, the ping topic) are held once rather than once per connection. Bounded: when full it
 * starts over, so distinct values (a query string per client) cost no more than they did.
 */
export class StringInterner {
  private readonly seen = new Map<string, string>();

  constructor(private readonly capacity: number) {}

  intern(value: string): string {
    const held = this.seen.get(value);
    if (held !== undefined) return held;
    if (this.seen.size >= this.capacity) this.seen.clear();
    this.seen.set(value, value);
    return value;
  }

  get size(): number {
    return this.seen.size;
  }
}
