/**
 * A leader lease for a role that must run as a single instance (the redemption worker): one
 * process holds it, the others wait and take over when the holder stops renewing it.
 *
 * Why the event store (JetStream) and not a Redis lock: the lease must be at least as available
 * and as durable as what it protects, and what it protects is written to JetStream. A JetStream
 * subject is replicated with the streams (R3 in a cluster: a lease survives a node loss, where a
 * single Redis primary's lock is lost on its fail-over), its compare-and-set is the server's
 * (`Nats-Expected-Last-Subject-Sequence`), and its sequence numbers only grow: the sequence of
 * the write that took the lease is the fencing token. It needs no right the worker does not
 * already have (its checkpoint subjects) and no clock shared between machines: a contender takes
 * over only after it has seen the same lease record, unchanged, for a whole TTL measured on its
 * own monotonic clock, and a holder trusts its lease only until TTL − margin after it *sent* its
 * last renewal, so with clocks that tick at the same rate the holder has stopped before anyone
 * else can start. A renewal waits for its answer as long as the lease lasts (a starved store
 * answers late, not never; a renewal given up on may still land), and an instance whose lease ran
 * out takes its own last record back at once — nobody else can have held the lease over it — and
 * says so (`continued`), so its work in progress need not be thrown away.
 *
 * Fencing: a paused holder (GC, SIGSTOP, a VM frozen) finds its lease expired when it runs again
 * and every write it attempts goes through `assertHeld()` first (see the fenced store and gateway
 * of the redemption worker), so it does not write after losing the lease. JetStream (2.9) cannot
 * check the token on the same write as the data (no multi-subject conditional append), so the one
 * write that may already be in flight when the pause starts is caught by the store itself: every
 * decisive write of a night is conditional on its stream's revision, and payouts carry the bank's
 * idempotency key, so a late write either fails or is seen by the new holder, never doubled.
 */
export interface LeaseRecord {
  /** The instance that wrote it (unique per process start). */
  readonly holder: string;
  /** `held`: taken or renewed; `released`: given up on shutdown, anyone may take it at once. */
  readonly state: 'held' | 'released';
}

export interface StoredLease {
  readonly seq: number;
  readonly record: LeaseRecord;
}

export interface LeaseWriteOptions {
  /** How long to wait for the answer (default: the register's own request time-out). */
  readonly timeoutMs?: number;
}

/** Where the lease lives: a register with compare-and-set on its last write's sequence. */
export interface LeaseRegister {
  read(): Promise<StoredLease | undefined>;
  /**
   * Writes `record` if the last write is still `expectedSeq` (0: nothing written yet). The new
   * sequence, or undefined when another write came first. A write whose answer did not come in
   * time may still have been made.
   */
  write(record: LeaseRecord, expectedSeq: number, options?: LeaseWriteOptions): Promise<number | undefined>;
}

export const LEASE_NOT_HELD = 'LEASE.NOT_HELD';

/** A write was attempted without the lease (never had it, lost it, or it ran out while paused). */
export class LeaseNotHeldError extends Error {
  readonly code = LEASE_NOT_HELD;
  /**
   * `lapsed`: this instance held the lease and could not renew it in time (the store slow or
   * away); `not-held`: it never took it (another instance holds it, or it is still contending).
   */
  constructor(
    message: string,
    readonly why: 'lapsed' | 'not-held' = 'not-held',
  ) {
    super(message);
    this.name = 'LeaseNotHeldError';
  }
}

/** What a writer checks before each write: the fencing token of the lease it holds, or a throw. */
export interface Fence {
  assertHeld(): number;
}

/**
 * Where an instance stands with its fence: it holds the lease, it let it lapse unrenewed (the
 * store slow or away), or it does not hold it. No fence: it holds (nothing to share).
 */
export function leaseStanding(fence: Fence | undefined): 'held' | 'lapsed' | 'not-held' {
  try {
    fence?.assertHeld();
    return 'held';
  } catch (error) {
    return error instanceof LeaseNotHeldError && error.why === 'lapsed' ? 'lapsed' : 'not-held';
  }
}

export interface LeaderLeaseOptions {
  /** This instance's id: unique per process start (a restarted process is a new contender). */
  readonly holder: string;
  /** How long a lease lasts without renewal. */
  readonly ttlMs: number;
  /** Safety margin the holder gives up early (default ttl / 5). */
  readonly marginMs?: number;
  /** Monotonic milliseconds (default `performance.now`). */
  readonly now?: () => number;
  /** `continued`: taken again over our own last record, so nobody else held it in between. */
  readonly onAcquired?: (token: number, continued: boolean) => void;
  readonly onLost?: (reason: string) => void;
  /** A step failed (the register unreachable): the lease keeps trying. */
  readonly onError?: (error: unknown) => void;
}

export class LeaderLease implements Fence {
  private readonly ttl: number;
  private readonly margin: number;
  private readonly now: () => number;
  /** The sequence of our last write while we hold it, and of the write that took it (the token). */
  private lastSeq = 0;
  private tokenSeq: number | undefined;
  private validUntil = Number.NEGATIVE_INFINITY;
  /** A contender's view: the record seen, and since when (monotonic) it has not changed. */
  private seen: { seq: number; since: number } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private stepping: Promise<void> = Promise.resolve();
  /** The last step failed or lost the lease: step again soon rather than after TTL / 3. */
  private retrySoon = false;
  private heldWaiters: (() => void)[] = [];
  private readonly acquired: ((token: number, continued: boolean) => void)[] = [];
  private readonly lost: ((reason: string) => void)[] = [];

  constructor(
    private readonly register: LeaseRegister,
    private readonly o: LeaderLeaseOptions,
  ) {
    if (!(o.ttlMs > 0)) throw new Error('lease TTL must be positive');
    this.ttl = o.ttlMs;
    this.margin = o.marginMs ?? Math.round(o.ttlMs / 5);
    if (this.margin >= this.ttl) throw new Error('lease margin must be shorter than its TTL');
    this.now = o.now ?? (() => performance.now());
    if (o.onAcquired) this.acquired.push(o.onAcquired);
    if (o.onLost) this.lost.push(o.onLost);
  }

  /**
   * Adds listeners: called when this instance takes the lease (`continued` when it took it back
   * over its own last record: nobody else held it meanwhile), and when it loses it.
   */
  on(acquired: (token: number, continued: boolean) => void, lost: (reason: string) => void): void {
    this.acquired.push(acquired);
    this.lost.push(lost);
  }

  get holder(): string {
    return this.o.holder;
  }

  /** Whether we hold the lease now (taken, and renewed recently enough). */
  get held(): boolean {
    return this.tokenSeq !== undefined && this.now() < this.validUntil;
  }

  /** Resolves once this instance holds the lease (at once when it does now). */
  whenHeld(): Promise<void> {
    if (this.held) return Promise.resolve();
    return new Promise((resolve) => this.heldWaiters.push(resolve));
  }

  /** The fencing token (sequence of the write that took the lease); throws when we do not hold it. */
  assertHeld(): number {
    if (this.tokenSeq === undefined) {
      throw new LeaseNotHeldError(`${this.o.holder} does not hold the lease`);
    }
    if (this.now() >= this.validUntil) {
      throw new LeaseNotHeldError(
        `${this.o.holder}'s lease (token ${this.tokenSeq}) ran out before it was renewed`,
        'lapsed',
      );
    }
    return this.tokenSeq;
  }

  /** One move: renew when we hold it, else look and take it when it is free or abandoned. */
  step(): Promise<void> {
    this.stepping = this.stepping
      .catch(() => undefined) // a failed step does not stop the next one
      .then(() => (this.tokenSeq === undefined ? this.contend() : this.renew()));
    return this.stepping;
  }

  /**
   * Steps every TTL / 3 (counted from the start of the previous step, so a slow answer does not
   * push the next renewal back) until `stop()`; after a failed step, again after TTL / 30.
   */
  start(): void {
    if (this.running) return;
    this.running = true;
    const loop = (): void => {
      const began = this.now();
      this.step()
        .catch((error: unknown) => this.o.onError?.(error))
        .finally(() => {
          if (!this.running) return;
          const delay = this.retrySoon ? this.ttl / 30 : this.ttl / 3 - (this.now() - began);
          this.timer = setTimeout(loop, Math.max(1, Math.round(delay)));
        });
    };
    loop();
  }

  /** Stops stepping and gives the lease up (a successor takes it at once instead of after a TTL). */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    await this.stepping.catch(() => undefined);
    if (this.tokenSeq === undefined) return;
    const seq = this.lastSeq;
    this.tokenSeq = undefined;
    this.validUntil = Number.NEGATIVE_INFINITY;
    await this.register.write({ holder: this.o.holder, state: 'released' }, seq).catch(() => undefined);
  }

  private async contend(): Promise<void> {
    this.retrySoon = false;
    const current = await this.register.read();
    const observedAt = this.now();
    // Our own last record (a renewal may have landed after we stopped waiting for its answer):
    // nobody else held the lease since, and nobody can take it before the compare-and-set below.
    const ours =
      this.lastSeq > 0 &&
      current !== undefined &&
      current.seq >= this.lastSeq &&
      current.record.holder === this.o.holder &&
      current.record.state === 'held';
    if (current !== undefined && current.record.state === 'held' && !ours) {
      if (this.seen?.seq !== current.seq) {
        // New record (taken or renewed since we last looked): its TTL starts now for us.
        this.seen = { seq: current.seq, since: observedAt };
        return;
      }
      if (observedAt - this.seen.since < this.ttl) return;
    }
    const sentAt = this.now();
    const seq = await this.register.write({ holder: this.o.holder, state: 'held' }, current?.seq ?? 0);
    this.seen = undefined;
    if (seq === undefined) return; // someone else was faster
    this.lastSeq = seq;
    this.tokenSeq = seq;
    this.validUntil = sentAt + this.ttl - this.margin;
    for (const listener of this.acquired) listener(seq, ours);
    this.wakeHeld();
  }

  private async renew(): Promise<void> {
    this.retrySoon = false;
    const sentAt = this.now();
    const remaining = this.validUntil - sentAt;
    let seq: number | undefined;
    try {
      // A slow answer is awaited as long as the lease lasts (not the store's shorter request
      // time-out): given up on early, it may still land and make our next renewal look refused.
      seq = await this.register.write(
        { holder: this.o.holder, state: 'held' },
        this.lastSeq,
        remaining > 0 ? { timeoutMs: Math.ceil(remaining) } : {},
      );
      if (seq === undefined) {
        const current = await this.register.read();
        if (current !== undefined && current.seq > this.lastSeq && current.record.holder === this.o.holder) {
          // An earlier renewal landed after we stopped waiting: renew again over it, soon.
          this.lastSeq = current.seq;
          this.retrySoon = true;
          if (this.now() >= this.validUntil) this.lose('the lease ran out before it was renewed');
          return;
        }
        this.lose('another instance took the lease');
        return;
      }
    } catch (error) {
      // Unreachable: we keep the lease until it runs out, then we have lost it; either way, retry soon.
      this.retrySoon = true;
      if (this.now() >= this.validUntil) this.lose('the lease could not be renewed before it ran out');
      throw error;
    }
    this.lastSeq = seq;
    this.validUntil = sentAt + this.ttl - this.margin;
    this.wakeHeld();
  }

  private wakeHeld(): void {
    if (!this.held) return;
    const waiters = this.heldWaiters;
    this.heldWaiters = [];
    for (const wake of waiters) wake();
  }

  private lose(reason: string): void {
    this.retrySoon = true; // contend at once: our own record is taken back without waiting a TTL
    if (this.tokenSeq === undefined) return;
    this.tokenSeq = undefined;
    this.validUntil = Number.NEGATIVE_INFINITY;
    for (const listener of this.lost) listener(reason);
  }
}

/** A register in memory: for one process (the in-memory store) and the unit tests. */
export class InMemoryLeaseRegister implements LeaseRegister {
  private seq = 0;
  private last: StoredLease | undefined;

  read(): Promise<StoredLease | undefined> {
    return Promise.resolve(this.last);
  }

  write(record: LeaseRecord, expectedSeq: number, _options?: LeaseWriteOptions): Promise<number | undefined> {
    if ((this.last?.seq ?? 0) !== expectedSeq) return Promise.resolve(undefined);
    this.seq += 1;
    this.last = { seq: this.seq, record };
    return Promise.resolve(this.seq);
  }
}
