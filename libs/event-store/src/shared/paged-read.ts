import pRetry from 'p-retry';
import { EventStoreUnavailableError } from '../errors.js';
import type { EventStore, GlobalPosition, RecordedEvent } from '../event-store.port.js';

export interface PagedReadOptions {
  /** Read strictly after this position (default: from the first event). */
  readonly after?: GlobalPosition;
  /** Events asked for per page at first. Default 1,000. */
  readonly pageSize?: number;
  /** A page that failed is asked for again, with half as many events, at most this many times in a row. Default 8. */
  readonly retries?: number;
  /** The smallest page a failed page shrinks to. Default 50. */
  readonly minPageSize?: number;
  /** Wait before the first retry; doubles each time, at most 10 s. Default 250 ms. */
  readonly backoffMs?: number;
  /** Told about each retried page (the error, which attempt comes next, and the pause before it). */
  readonly onRetry?: (
    error: Error,
    attempt: number,
    after: GlobalPosition | undefined,
    pauseMs: number,
  ) => void;
}

/**
 * The whole log (or what follows `after`), page by page, up to the head as it is when the last
 * page is read. One page is read ahead while the caller works on the current one, never more.
 * A page whose read fails with the store unavailable (a time-out on a starved machine, a lost
 * connection) is read again from the same position — reads change nothing, so a retry is
 * harmless — after a growing pause and with half the events, so that a page that cannot be
 * served in time still gets through; other errors, and a page still failing after `retries`
 * attempts, end the read.
 */
export async function* readAllPages(
  store: Pick<EventStore, 'readAll'>,
  options: PagedReadOptions = {},
): AsyncGenerator<RecordedEvent[]> {
  const retries = options.retries ?? 8;
  const minPageSize = Math.max(1, options.minPageSize ?? 50);
  const backoffMs = options.backoffMs ?? 250;
  let pageSize = Math.max(1, options.pageSize ?? 1_000);

  /** A page, and how many events were asked for (fewer back: the head was reached). */
  interface Page {
    readonly page: RecordedEvent[];
    readonly asked: number;
  }
  const readPage = (after: GlobalPosition | undefined): Promise<Page> =>
    pRetry(
      async () => {
        const asked = pageSize;
        const page = await store.readAll({ ...(after === undefined ? {} : { after }), maxCount: asked });
        return { page, asked };
      },
      {
        retries,
        minTimeout: backoffMs,
        factor: 2,
        maxTimeout: 10_000,
        shouldRetry: ({ error }) => error instanceof EventStoreUnavailableError,
        onFailedAttempt: ({ error, attemptNumber, retriesLeft, retryDelay }) => {
          if (!(error instanceof EventStoreUnavailableError) || retriesLeft === 0) return;
          options.onRetry?.(error, attemptNumber + 1, after, retryDelay);
          pageSize = Math.max(minPageSize, Math.floor(pageSize / 2));
        },
      },
    );

  let next: Promise<Page> | undefined = readPage(options.after);
  while (next !== undefined) {
    const { page, asked }: Page = await next;
    if (page.length === 0) return;
    const after = page[page.length - 1]!.position;
    next = page.length < asked ? undefined : readPage(after);
    // A failed read-ahead must not go unhandled while the caller works; `await next` rethrows it.
    next?.catch(() => undefined);
    yield page;
  }
}
