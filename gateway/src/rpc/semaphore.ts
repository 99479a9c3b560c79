/** Lets at most `capacity` holders in at once; the others wait and get in in arrival order. */
export class Semaphore {
  private holders = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly capacity: number) {}

  /** How many are waiting to get in. */
  get pending(): number {
    return this.waiting.length;
  }

  /** Resolves once the caller is in; it must call `release()` exactly once afterwards. */
  acquire(): Promise<void> {
    if (this.holders < this.capacity) {
      this.holders += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    // The slot passes straight to the first waiter, so a newcomer cannot overtake it.
    if (next) next();
    else this.holders -= 1;
  }
}
