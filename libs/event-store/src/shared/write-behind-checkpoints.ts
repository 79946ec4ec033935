import type { CheckpointStore, GlobalPosition } from '../event-store.port.js';

/**
 * A checkpoint store that remembers each new position at once and writes it to `inner` later:
 * at most one write per subscription every `intervalMs` (the latest position), and whatever is
 * left on `flush()`. For an at-least-once subscriber whose handler may run again for the same
 * event (a repeated revocation notice is applied idempotently): a crash costs re-handling at
 * most the last interval's events, never skipping one, since the runner stores a position only
 * once everything up to it was handled. It saves a durable write per event where the runner
 * stores often: a filter that drops nearly every event stores the position at each idle spell,
 * which on a live feed is after nearly every event.
 */
export class WriteBehindCheckpoints implements CheckpointStore {
  private readonly pending = new Map<string, GlobalPosition>();
  private timer: NodeJS.Timeout | undefined;
  private writes: Promise<void> = Promise.resolve();

  constructor(
    private readonly inner: CheckpointStore,
    private readonly intervalMs: number,
    /** Told when a write failed; the position stays pending and is tried again later. */
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  async load(subscriptionId: string): Promise<GlobalPosition | undefined> {
    return this.pending.get(subscriptionId) ?? (await this.inner.load(subscriptionId));
  }

  async store(subscriptionId: string, position: GlobalPosition): Promise<void> {
    this.pending.set(subscriptionId, position);
    this.schedule();
  }

  /** Writes every pending position now (after any write under way). */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.writes = this.writes.then(() => this.writePending());
    return this.writes;
  }

  private schedule(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => void this.flush(), this.intervalMs);
    this.timer.unref();
  }

  private async writePending(): Promise<void> {
    for (const [id, position] of [...this.pending]) {
      try {
        await this.inner.store(id, position);
        // A newer position may have come meanwhile: it stays for the next write.
        if (this.pending.get(id) === position) this.pending.delete(id);
      } catch (error) {
        this.onError(error);
        this.schedule();
      }
    }
  }
}
