/**
 * A push-to-pull bridge: producers push items, one consumer iterates them.
 * `fail` ends the iteration with an error, `end` ends it cleanly. Producers
 * that can wait `await queue.room()` to keep the backlog bounded; others get
 * pause/resume calls.
 */
export class AsyncQueue<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private waiting: (() => void) | undefined;
  private roomWaiters: (() => void)[] = [];
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

  /** Resolves when the backlog is below the high-water mark (at once if it is). */
  room(): Promise<void> {
    if (this.items.length < this.highWater || this.ended) return Promise.resolve();
    return new Promise((resolve) => this.roomWaiters.push(resolve));
  }

  fail(error: Error): void {
    if (this.ended) return;
    this.error = error;
    this.end();
  }

  end(): void {
    this.ended = true;
    this.wake();
    this.release();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    for (;;) {
      const item = this.items.shift();
      if (item !== undefined) {
        if (this.items.length === Math.floor(this.highWater / 2)) {
          this.flow?.resume();
          this.release();
        }
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

  private release(): void {
    const waiters = this.roomWaiters;
    this.roomWaiters = [];
    for (const w of waiters) w();
  }
}
