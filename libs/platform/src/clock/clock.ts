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
