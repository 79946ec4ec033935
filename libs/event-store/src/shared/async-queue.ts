/**
 * A push-to-pull bridge: producers push items, one consumer iterates them, one
 * at a time or (`chunks()`) everything queued at once. `fail` ends the iteration
 * with an error, `end` ends it cleanly. Producers that can wait
 * `await queue.room()` to keep the backlog bounded; others get pause/resume calls.
 */
export class AsyncQueue<T> implements AsyncIterable<T> {
  private items: T[] = [];
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
        this.taken(this.items.length + 1);
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

  /** Iterates in chunks: each is every item queued when it is taken, never empty. */
  async *chunks(): AsyncGenerator<T[]> {
    for (;;) {
      if (this.items.length > 0) {
        const chunk = this.items;
        this.items = [];
        this.taken(chunk.length);
        yield chunk;
        continue;
      }
      if (this.ended) {
        if (this.error !== undefined) throw this.error;
        return;
      }
      await new Promise<void>((resolve) => (this.waiting = resolve));
    }
  }

  /** After a take from `before` items: the producer may go on once the backlog is down to half. */
  private taken(before: number): void {
    const half = Math.floor(this.highWater / 2);
    if (before > half && this.items.length <= half) {
      this.flow?.resume();
      this.release();
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
