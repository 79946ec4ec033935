/**
 * Serialises work on one chain within this process: spends, hand-offs and
 * claims of a chain run one after another, so the in-process state is never
 * raced by ourselves. Other processes are kept honest by the append's
 * expected revision, not by this lock.
 *
 * Kept by hand for speed: it is on every spend. async-lock (which the broker's bank and operator
 * billing use for their per-account order) measured 1.7× the CPU per task on idle chains (6.1
 * against 3.7 µs) and 7.4× with 20,000 tasks waiting per chain (12.9 against 1.8 µs), whose
 * queue shifts an array; p-limit / p-queue bound concurrency per queue, not per key.
 * (Micro-benchmark, 200,000 tasks, median of 4 interleaved runs: docs/observability.md.)
 */
export class ChainLocks {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(chainId: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(chainId);
    const result = previous === undefined ? task() : previous.then(task, task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(chainId, tail);
    void tail.then(() => {
      if (this.tails.get(chainId) === tail) this.tails.delete(chainId);
    });
    return result;
  }

  /** Whether some task on the chain is running or queued. */
  busy(chainId: string): boolean {
    return this.tails.has(chainId);
  }
}
