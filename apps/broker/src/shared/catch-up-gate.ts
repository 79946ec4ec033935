import { BROKER_ERROR, brokerError } from './broker-errors.js';

/**
 * Whether a feed the broker reads from the start (the customers' or the vendors' notices) has
 * caught up, for the requests answered from it. Once it has, `wait` answers at once: no timer
 * per request (every purchase asks). Before, it waits for the catch-up, and answers 503
 * PROJECTION.BEHIND after `timeoutMs` (the store away at start): never a request held forever.
 */
export class CatchUpGate {
  private ready = true;
  private reached: Promise<void> = Promise.resolve();
  private mark: () => void = () => undefined;

  /** `what` names the feed in the 503's message. */
  constructor(private readonly what: string) {}

  /** Closed from now on, until `caughtUp()` (the feed is opened). */
  closeUntilCaughtUp(): void {
    this.ready = false;
    this.reached = new Promise((resolve) => (this.mark = resolve));
  }

  caughtUp(): void {
    this.ready = true;
    this.mark();
  }

  async wait(timeoutMs = 5_000): Promise<void> {
    if (this.ready) return;
    let timer: NodeJS.Timeout | undefined;
    const behind = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            brokerError(BROKER_ERROR.PROJECTION_BEHIND, `the ${this.what} are not read yet; retry`, 503),
          ),
        timeoutMs,
      );
    });
    try {
      await Promise.race([this.reached, behind]);
    } finally {
      clearTimeout(timer);
    }
  }
}
