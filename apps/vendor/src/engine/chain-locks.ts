/**
 * Serialises work on one chain within this process: spends, hand-offs and
 * claims of a chain run one after another, so the in-process state is never
 * raced by ourselves. Other processes are kept honest by the append's
 * expected revision, not by this lock.
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
