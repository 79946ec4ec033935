import type { Subscription } from '../event-store.port.js';

export interface ResubscribingOptions {
  /** Told each time the subscription stops on an error (it is then opened again). */
  readonly onError?: (error: unknown) => void;
  /** Wait before the first reopening; doubles on each failure in a row, up to `maxDelayMs`. */
  readonly initialDelayMs?: number;
  readonly maxDelayMs?: number;
}

/**
 * A subscription that opens itself again, from its checkpoint, whenever it stops on an error
 * (the store was away, a handler failed): a read model or publisher that stopped for good
 * would need an operator to restart the process. `open` subscribes (synchronously, as
 * `subscribeToAll` does); `done` settles only after `stop()`.
 */
export function resubscribing(open: () => Subscription, options: ResubscribingOptions = {}): Subscription {
  const initial = options.initialDelayMs ?? 500;
  const max = options.maxDelayMs ?? 10_000;
  let current: Subscription | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let failures = 0;
  let openedAt = 0;
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });

  const start = (): void => {
    if (stopped) return;
    let subscription: Subscription;
    try {
      subscription = open();
    } catch (error) {
      return retry(error);
    }
    current = subscription;
    openedAt = Date.now();
    subscription.done.then(
      () => {
        if (!stopped) retry(new Error('the subscription ended by itself'));
      },
      (error: unknown) => retry(error),
    );
  };
  // Kept by hand, not p-retry: this re-opens a long-lived subscription whenever it ends, and its
  // backoff starts short again after a good run (p-retry counts failures of one call).
  const retry = (error: unknown): void => {
    if (stopped) return;
    options.onError?.(error);
    if (Date.now() - openedAt > max) failures = 0; // it had been running well: start short again
    const delay = Math.min(max, initial * 2 ** Math.min(failures++, 16));
    // Jitter: replicas that lost the store together do not come back in step.
    timer = setTimeout(start, Math.round(delay / 2 + (Math.random() * delay) / 2));
  };

  start();
  return {
    done,
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await current?.stop().catch(() => undefined);
      await current?.done.catch(() => undefined);
      finish();
    },
  };
}
