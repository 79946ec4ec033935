/**
 * A push-to-pull bridge: callbacks push items, one consumer iterates them.
 * `fail` ends the iteration with an error, `end` ends it cleanly. The
 * producer is told when to pause so an unread backlog stays bounded.
 */
export class AsyncQueue<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private waiting: (() => void) | undefined;
  private ended = false;
  private error: Error | undefined;

  constructor(
    private readonly highWater = 1_000,
    private readonly flow?: { pause(): void; resume(): void },
  ) {}

  push(item: T): void {
    if (this.ended) return;
    this.items.push(item);
    if (this.items.length >= this.highWater) this.flow?.pause();
    this.wake();
  }

  fail(error: Error): void {
    if (this.ended) return;
    this.error = error;
    this.ended = true;
    this.wake();
  }

  end(): void {
    this.ended = true;
    this.wake();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    for (;;) {
      const item = this.items.shift();
      if (item !== undefined) {
        if (this.items.length === Math.floor(this.highWater / 2)) this.flow?.resume();
        yield item;
        continue;
      }
      if (this.ended) {
        if (this.error !== undefined) throw this.error;
        return;
      }
      await new Promise<void>((resolve) => (this.waiting = resolve));
    }
  }

  private wake(): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.();
  }
}
