import type { CheckpointStore, EventStore, GlobalPosition, Subscription } from '#event-store';
import { decode, type StoredEvent } from '#events';
import { PROJECTED_CATEGORIES, PROJECTED_EVENT_TYPES, foldBatch } from './redemption-projector.js';
import type { RedemptionView } from './redemption-view.js';

export interface RedemptionProjectionOptions {
  /** Names the subscription (one per read model: a new id and namespace rebuild from zero). */
  readonly subscriptionId: string;
  readonly timeZone: string;
  /** Told when the subscription stops on an error; it restarts after `restartDelayMs`. */
  readonly onError?: (error: unknown) => void;
  readonly restartDelayMs?: number;
  /** Most events folded and committed together (default 256); 1 folds one event at a time. */
  readonly maxBatch?: number;
  /**
   * Events the model may rely on (default: all). The worker passes over verdicts it did not sign,
   * so a forged verdict cannot settle a batch that was never verified.
   */
  readonly accept?: (event: StoredEvent) => boolean;
}

export class ProjectionBehindError extends Error {
  readonly code = 'REDEMPTION.PROJECTION_BEHIND';
  constructor(message: string) {
    super(message);
    this.name = 'ProjectionBehindError';
  }
}

/** Events folded and committed together when the options do not say. */
const DEFAULT_MAX_BATCH = 256;

/**
 * Keeps the redemption read model up to date through a catch-up subscription in batches: the
 * events already delivered (up to `maxBatch`) are folded together — one read of everything they
 * need, each event seeing the changes of those before it — and committed with the checkpoint in
 * one atomic step. The checkpoint is the read model's own. `waitUntilCaughtUp()` returns
 * once everything in the log when it was called has been folded in: the cut-off seals from a
 * model that has seen every spend before it.
 */
export class RedemptionProjection {
  private subscription: Subscription | undefined;
  private stopped = true;
  /** Highest position handled or passed over (filtered out) so far. */
  private seen: GlobalPosition | undefined;
  /** The checkpoint the last commit wrote along with its batch's changes. */
  private committed: GlobalPosition | undefined;
  private readonly waiters = new Set<() => void>();
  private restartTimer: NodeJS.Timeout | undefined;
  private healthy = false;

  constructor(
    private readonly store: EventStore,
    readonly view: RedemptionView,
    private readonly options: RedemptionProjectionOptions,
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.subscribe();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    await this.subscription?.stop();
    this.subscription = undefined;
    this.notify();
  }

  /** Started, and its subscription not stopped by an error (it is restarting otherwise). */
  isRunning(): boolean {
    return !this.stopped && this.healthy;
  }

  /** The last position folded in, as far as this process knows. */
  position(): GlobalPosition | undefined {
    return this.seen;
  }

  /** Resolves once the model includes everything appended before the call; PROJECTION_BEHIND after `timeoutMs`. */
  async waitUntilCaughtUp(timeoutMs = 30_000): Promise<void> {
    const head = await this.headPosition();
    if (head === undefined) return;
    const reached = (): boolean => this.seen !== undefined && this.seen >= head;
    if (reached()) return;
    await new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (reached()) {
          clearTimeout(timer);
          this.waiters.delete(check);
          resolve();
        } else if (this.stopped) {
          clearTimeout(timer);
          this.waiters.delete(check);
          reject(new ProjectionBehindError('the redemption projection is stopped'));
        }
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new ProjectionBehindError(`the redemption projection has not reached position ${head} yet`));
      }, timeoutMs);
      this.waiters.add(check);
    });
  }

  private subscribe(): void {
    this.healthy = true;
    const checkpoints = this.trackingCheckpoints();
    this.subscription = this.store.subscribeToAll({
      subscriptionId: this.options.subscriptionId,
      filter: { categories: [...PROJECTED_CATEGORIES], eventTypes: [...PROJECTED_EVENT_TYPES] },
      checkpoints,
      maxBatch: this.options.maxBatch ?? DEFAULT_MAX_BATCH,
      handleBatch: async (recorded) => {
        const accept = this.options.accept ?? ((): boolean => true);
        const events = recorded.map(decode).filter((e): e is StoredEvent => e !== undefined && accept(e));
        const ops = await foldBatch(events, this.view, this.options.timeZone);
        const position = recorded[recorded.length - 1]!.position;
        await this.view.commit(ops, position);
        this.committed = position;
        this.advance(position);
      },
    });
    this.subscription.done.then(
      () => undefined,
      (error: unknown) => {
        this.healthy = false;
        this.options.onError?.(error);
        if (this.stopped) return;
        this.restartTimer = setTimeout(() => {
          if (!this.stopped) this.subscribe();
        }, this.options.restartDelayMs ?? 1_000);
      },
    );
  }

  /** The view's checkpoints, noting where the runner has got to (also past filtered-out events). */
  private trackingCheckpoints(): CheckpointStore {
    return {
      load: async (id) => {
        const position = await this.view.load(id);
        if (position !== undefined) this.advance(position);
        return position;
      },
      store: async (id, position) => {
        // After a handled batch the view already holds this checkpoint: its commit wrote it.
        if (position !== this.committed) await this.view.store(id, position);
        this.advance(position);
      },
    };
  }

  private advance(position: GlobalPosition): void {
    if (this.seen === undefined || position > this.seen) this.seen = position;
    this.notify();
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  /** The log's last position: read forward from what this projection has already seen. */
  private async headPosition(): Promise<GlobalPosition | undefined> {
    let head = this.seen;
    for (;;) {
      const page = await this.store.readAll({
        ...(head === undefined ? {} : { after: head }),
        maxCount: 1_000,
      });
      const last = page.at(-1);
      if (last === undefined) return head;
      head = last.position;
      if (page.length < 1_000) return head;
    }
  }
}
