import { traceProjected } from '#platform';
import { randomUUID } from 'node:crypto';
import {
  type CheckpointStore,
  type EventStore,
  type GlobalPosition,
  LEASE_NOT_HELD,
  type Subscription,
} from '#event-store';
import { decode, type StoredEvent } from '#events';
import { PROJECTED_CATEGORIES, PROJECTED_EVENT_TYPES, foldBatch } from './redemption-projector.js';
import type { RedemptionView, ViewAnchor } from './redemption-view.js';

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
   * How long a batch smaller than `maxBatch` waits for more live events before it is folded
   * (default 20 ms; 0: fold what has arrived at once). Under a steady stream of spends it folds
   * and commits tens of events per Redis round trip instead of one or two.
   */
  readonly lingerMs?: number;
  /**
   * Events the model may rely on (default: all). The worker passes over verdicts it did not sign,
   * so a forged verdict cannot settle a batch that was never verified.
   */
  readonly accept?: (event: StoredEvent) => boolean;
  /** How often the view's generation marker is checked (default 5 s); also before each commit and night. */
  readonly integrityCheckMs?: number;
  /** Told when the model is rebuilt from zero, and why. */
  readonly onRebuild?: (reason: string) => void;
  /** Behind for longer than this (the log moved on, the model did not catch up) = not ready. Default 60 s. */
  readonly maxLagMs?: number;
  /**
   * The lease the view's writes are fenced by: while it is not held, commits wait for it (the
   * fold in hand and the subscription's place are kept) and the integrity check pauses. Whoever
   * follows the lease stops this projection when another instance held it in between.
   */
  readonly lease?: ProjectionLease;
}

/** What the projection needs of its lease. */
export interface ProjectionLease {
  readonly held: boolean;
  whenHeld(): Promise<void>;
}

export class ProjectionBehindError extends Error {
  readonly code = 'REDEMPTION.PROJECTION_BEHIND';
  constructor(message: string) {
    super(message);
    this.name = 'ProjectionBehindError';
  }
}

/** The read model's storage lost its data under the running projection: rebuild from zero. */
export class ProjectionStorageLostError extends Error {
  readonly code = 'REDEMPTION.PROJECTION_LOST';
  constructor(message: string) {
    super(message);
    this.name = 'ProjectionStorageLostError';
  }
}

const isLeaseNotHeld = (error: unknown): boolean =>
  error instanceof Error && (error as { code?: unknown }).code === LEASE_NOT_HELD;

/** Events folded and committed together when the options do not say. */
const DEFAULT_MAX_BATCH = 256;
/** How long a small batch of live events waits for more when the options do not say. */
const DEFAULT_LINGER_MS = 20;

/**
 * Keeps the redemption read model up to date through a catch-up subscription in batches: the
 * events already delivered (up to `maxBatch`) are folded together — one read of everything they
 * need, each event seeing the changes of those before it — and committed with the checkpoint in
 * one atomic step. The checkpoint is the read model's own. `waitUntilCaughtUp()` returns
 * once everything in the log when it was called has been folded in: the cut-off seals from a
 * model that has seen every spend before it.
 *
 * It heals a model that lost its storage (FLUSHALL, eviction, a new empty Redis): the view
 * carries a generation marker that only a build from zero writes. When the marker is gone —
 * checked before every commit, on a timer and before a night seals — the projection drops what
 * is left and folds the log again from zero. Seals and payments are events, so the rebuilt model
 * knows every batch already sealed or paid: nobody is paid twice.
 *
 * Behind a lease (`lease`), a commit waits while the lease is not held instead of failing, so a
 * lease lost for a moment (a slow store) does not send a long rebuild back to its checkpoint.
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
  private integrityTimer: NodeJS.Timeout | undefined;
  private healthy = false;
  /** The view generation this process builds on; undefined until the first open. */
  private generationId: string | undefined;
  /** Rebuilds and reopenings run one at a time. */
  private lifecycle: Promise<void> = Promise.resolve();
  private lastCaughtUpAt: number | undefined;
  private startedAt = Date.now();
  private rebuilds = 0;

  constructor(
    private readonly store: EventStore,
    readonly view: RedemptionView,
    private readonly options: RedemptionProjectionOptions,
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.startedAt = Date.now();
    this.reopen();
    this.integrityTimer = setInterval(() => {
      this.verify().catch(() => undefined); // Redis away: the next check tries again
    }, this.options.integrityCheckMs ?? 5_000);
    this.integrityTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.notify(); // a batch waiting for the lease gives up now
    clearTimeout(this.restartTimer);
    clearInterval(this.integrityTimer);
    await this.lifecycle;
    await this.subscription?.stop();
    this.subscription = undefined;
    this.notify();
  }

  /** Started (and not stopped since), whether or not its subscription is running. */
  get started(): boolean {
    return !this.stopped;
  }

  /** Started, and its subscription not stopped by an error (it is restarting otherwise). */
  isRunning(): boolean {
    return !this.stopped && this.healthy && this.subscription !== undefined;
  }

  /** How many times the model was rebuilt from zero after losing its storage. */
  rebuildCount(): number {
    return this.rebuilds;
  }

  /**
   * Why the worker is not ready, or undefined when it is: stopped or restarting, never caught up
   * since it (re)built, or the log ahead of it for longer than `maxLagMs`.
   */
  async readinessProblem(now = Date.now()): Promise<string | undefined> {
    if (!this.isRunning()) return 'the projection is stopped or restarting after an error';
    if (this.lastCaughtUpAt === undefined) return 'the projection is still replaying the event store';
    const head = await this.headPosition();
    const behind = head !== undefined && (this.seen === undefined || this.seen < head);
    const lag = now - this.lastCaughtUpAt;
    if (behind && lag > (this.options.maxLagMs ?? 60_000))
      return `the projection is behind: at ${String(this.seen)} of ${String(head)}, caught up ${Math.round(lag / 1_000)} s ago`;
    return undefined;
  }

  /**
   * For the lag metrics: whether the model has reached the log's head, and if not for how long it
   * has been behind (since it last caught up, or since it started when it never did).
   */
  async lag(now = Date.now()): Promise<{ caughtUp: boolean; behindSeconds: number }> {
    const head = await this.headPosition();
    const behind =
      this.lastCaughtUpAt === undefined ||
      (head !== undefined && (this.seen === undefined || this.seen < head));
    if (!behind) return { caughtUp: true, behindSeconds: 0 };
    return {
      caughtUp: false,
      behindSeconds: Math.max(0, now - (this.lastCaughtUpAt ?? this.startedAt)) / 1000,
    };
  }

  /**
   * Checks that the view still holds what this process built (its generation marker): when the
   * storage was lost, rebuilds from zero and answers true. Before a night seals, and on a timer.
   */
  async verify(): Promise<boolean> {
    if (this.stopped || this.generationId === undefined) return false;
    if (this.options.lease && !this.options.lease.held) return false; // not ours to rebuild now
    const found = await this.view.generation();
    if (found === this.generationId) return false;
    await this.rebuild(
      found === undefined
        ? 'the view lost its storage (generation marker gone)'
        : `the view was rebuilt elsewhere (generation ${found})`,
    );
    return true;
  }

  /**
   * Stops folding and opens the view's generation again: a model whose marker is gone (or, with
   * `fromZero`, any model) is dropped and folded again from zero; a newer generation is adopted.
   */
  rebuild(reason: string, options: { fromZero?: boolean } = {}): Promise<void> {
    return this.serially(async () => {
      if (this.stopped) return;
      clearTimeout(this.restartTimer);
      await this.subscription?.stop();
      this.subscription = undefined;
      this.seen = undefined;
      this.committed = undefined;
      this.lastCaughtUpAt = undefined;
      this.generationId = undefined;
      await this.openGeneration(reason, options.fromZero ?? false);
      if (!this.stopped) this.subscribe();
    }).catch((error: unknown) => this.failed(error));
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

  /** Adopts the view's generation, or starts one from zero when it has none (new, flushed, evicted). */
  private async openGeneration(
    reason = 'the view has no generation marker',
    fromZero = false,
  ): Promise<void> {
    const found = fromZero ? undefined : await this.view.generation();
    if (found !== undefined) {
      // The event store was replaced (lost and set up again) while the view was kept: folding on
      // from its checkpoint would skip the new log's events up to it. A new log that has not
      // reached the checkpoint yet shows it by its end; one that has grown past it, by holding
      // another event where the view's last folded one was.
      const at = await this.view.position();
      const anchor = await this.view.anchor();
      if (at !== undefined && !(await this.logReaches(at))) {
        reason = `the view's checkpoint ${at} is past the event store's last event: it was built from another log`;
      } else if (anchor !== undefined && !(await this.logHolds(anchor))) {
        reason = `the event store holds another event at ${anchor.position} than the view folded there (${anchor.eventId}): it was built from another log`;
      } else {
        this.generationId = found;
        return;
      }
    }
    const id = randomUUID();
    await this.view.reset(id);
    this.generationId = id;
    this.seen = undefined;
    this.committed = undefined;
    this.rebuilds++;
    this.options.onRebuild?.(reason);
  }

  /**
   * Whether the log reaches `position` (an event there or after it), or cannot tell: false only
   * when it holds events and all of them come before it. A log whose old events expired
   * (`EVENT_STORE_MAX_AGE_MS`) still reaches a checkpoint it has events after, and an empty or
   * unreadable one is given the benefit of the doubt, as before this check.
   */
  private async logReaches(position: GlobalPosition): Promise<boolean> {
    if (position <= 0n) return true;
    try {
      if ((await this.store.readAll({ after: position - 1n, maxCount: 1 })).length > 0) return true;
      return (await this.store.readAll({ maxCount: 1 })).length === 0;
    } catch {
      return true;
    }
  }

  /**
   * Whether the event the view last folded is still where it was, or the log cannot tell: false
   * only when another event stands at that position. One that expired (or a log that cannot be
   * read) is given the benefit of the doubt, as in `logReaches`.
   */
  private async logHolds(anchor: ViewAnchor): Promise<boolean> {
    if (anchor.position <= 0n) return true;
    try {
      const [there] = await this.store.readAll({ after: anchor.position - 1n, maxCount: 1 });
      return there === undefined || there.position !== anchor.position || there.id === anchor.eventId;
    } catch {
      return true;
    }
  }

  /** (Re)opens the subscription on the view's generation; on failure, tries again after a delay. */
  private reopen(): void {
    void this.serially(async () => {
      if (this.stopped) return;
      await this.openGeneration();
      if (!this.stopped) this.subscribe();
    }).catch((error: unknown) => this.failed(error));
  }

  private serially(work: () => Promise<void>): Promise<void> {
    const next = this.lifecycle.then(work);
    this.lifecycle = next.catch(() => undefined);
    return next;
  }

  private failed(error: unknown): void {
    this.healthy = false;
    this.options.onError?.(error);
    if (this.stopped) return;
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => this.reopen(), this.options.restartDelayMs ?? 1_000);
  }

  private subscribe(): void {
    this.healthy = true;
    const checkpoints = this.trackingCheckpoints();
    const generation = this.generationId;
    const subscription = this.store.subscribeToAll({
      subscriptionId: this.options.subscriptionId,
      filter: { categories: [...PROJECTED_CATEGORIES], eventTypes: [...PROJECTED_EVENT_TYPES] },
      checkpoints,
      maxBatch: this.options.maxBatch ?? DEFAULT_MAX_BATCH,
      lingerMs: this.options.lingerMs ?? DEFAULT_LINGER_MS,
      handleBatch: async (recorded) => {
        const startedAt = Date.now();
        const accept = this.options.accept ?? ((): boolean => true);
        const events = recorded.map(decode).filter((e): e is StoredEvent => e !== undefined && accept(e));
        const ops = await foldBatch(events, this.view, this.options.timeZone);
        const last = recorded[recorded.length - 1]!;
        const position = last.position;
        for (;;) {
          await this.leaseHeld();
          // Never fold on top of a lost model (its checkpoint would vouch for data that is gone).
          if ((await this.view.generation()) !== generation)
            throw new ProjectionStorageLostError('the view lost its generation marker');
          try {
            await this.view.commit(ops, position, last.id);
            break;
          } catch (error) {
            if (!isLeaseNotHeld(error)) throw error; // the lease ran out just now: wait for it again
          }
        }
        traceProjected('redemption-projection', recorded, startedAt);
        this.committed = position;
        this.advance(position);
      },
      onCaughtUp: () => {
        this.lastCaughtUpAt = Date.now();
        this.notify();
      },
    });
    this.subscription = subscription;
    subscription.done.then(
      () => undefined,
      (error: unknown) => {
        if (this.subscription !== subscription) return; // replaced by a rebuild meanwhile
        this.subscription = undefined;
        // A lost model is rebuilt now; any other error reopens after a delay (which checks too).
        if (error instanceof ProjectionStorageLostError) void this.rebuild(error.message);
        else this.failed(error);
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
        if (position !== this.committed) {
          await this.leaseHeld();
          await this.view.store(id, position);
        }
        this.advance(position);
      },
    };
  }

  /**
   * Waits until the lease is held (at once without a lease). Throws when the projection was
   * stopped meanwhile: after another holder, the fold in hand may be stale and is dropped.
   */
  private async leaseHeld(): Promise<void> {
    const lease = this.options.lease;
    while (lease && !lease.held && !this.stopped) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          this.waiters.delete(onNotify);
          resolve();
        };
        const onNotify = (): void => {
          if (this.stopped) done();
        };
        this.waiters.add(onNotify); // stop() notifies the waiters
        void lease.whenHeld().then(done);
      });
    }
    if (this.stopped) throw new ProjectionBehindError('the redemption projection is stopped');
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
