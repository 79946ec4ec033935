/**
 * Wraps an async reading so that calls made while one is in flight share it: prom-client collects
 * every gauge of a scrape concurrently, and gauges fed by one reading (readiness checks, a
 * projection's lag) then cost one reading per scrape, not one per gauge.
 */
export function sharedWhileRunning<T>(read: () => Promise<T>): () => Promise<T> {
  let running: Promise<T> | undefined;
  return () =>
    (running ??= read().finally(() => {
      running = undefined;
    }));
}
