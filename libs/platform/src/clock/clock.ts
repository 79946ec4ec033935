/** Where the current time comes from. Inject it (token `CLOCK`) instead of calling `new Date()`. */
export interface Clock {
  now(): Date;
}

/** Nest injection token for the `Clock`. */
export const CLOCK = Symbol.for('netpay.platform.clock');

/** The machine's wall clock. */
export class SystemClock implements Clock {
  now(): Date {
    return new Date();
  }
}

/**
 * Another clock moved forward by a fixed offset: a demo's broker "days later" (DEMO_CLOCK_OFFSET),
 * so that chains issued during the demo day are expired by the broker's clock while every other
 * process keeps the machine's time. Configs admit it only outside production.
 */
export class OffsetClock implements Clock {
  constructor(
    readonly offsetMs: number,
    private readonly base: Clock = new SystemClock(),
  ) {
    if (!Number.isSafeInteger(offsetMs) || offsetMs < 0) {
      throw new RangeError(`OffsetClock: offset must be a whole number of ms >= 0, got ${offsetMs}`);
    }
  }

  now(): Date {
    return new Date(this.base.now().getTime() + this.offsetMs);
  }
}

/** Always answers the same instant: for tests that must not depend on when they run. */
export class FixedClock implements Clock {
  private readonly at: number;

  constructor(at: Date | string | number) {
    this.at = new Date(at).getTime();
  }

  now(): Date {
    return new Date(this.at);
  }
}

/** A clock the test moves by hand (TTL expiry, cut-offs, time-outs measured in domain time). */
export class ManualClock implements Clock {
  private at: number;

  constructor(start: Date | string | number = '2025-01-01T00:00:00.000Z') {
    this.at = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.at);
  }

  /** Move forward by `ms` milliseconds (never backwards: a negative step is refused). */
  advance(ms: number): this {
    if (!(ms >= 0)) throw new RangeError(`ManualClock.advance: step must be >= 0 ms, got ${ms}`);
    this.at += ms;
    return this;
  }

  set(at: Date | string | number): this {
    this.at = new Date(at).getTime();
    return this;
  }
}
