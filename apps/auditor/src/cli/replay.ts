import { type EventStore, type GlobalPosition, readAllPages } from '#event-store';
import type { Audit } from '../core/audit.js';
import { HistoryPrimer } from './history-primer.js';

export interface ReplayOptions {
  /** Replay the events strictly after this position (earlier history is primed per stream). */
  readonly from?: GlobalPosition;
  /** Events per `readAll` page. Default 1,000. */
  readonly pageSize?: number;
  /** Called after each page, e.g. for progress on a terminal. */
  readonly onPage?: (events: number, lastPosition: GlobalPosition) => void;
  /** A page that timed out is read again (smaller) up to this many times in a row. Default 8. */
  readonly retries?: number;
  /** Pause before the first retry of a page, doubling each time. Default 250 ms. */
  readonly backoffMs?: number;
  /** Told about each page read again (the store's error, the attempt that comes next). */
  readonly onRetry?: (error: Error, attempt: number, after: GlobalPosition | undefined) => void;
}

export interface ReplayResult {
  readonly events: number;
  readonly pages: number;
  /** Page reads that failed and were read again. */
  readonly retries: number;
  /** Streams read separately to prime history before `from`. */
  readonly primedStreams: number;
  readonly lastPosition: GlobalPosition | undefined;
}

/**
 * Reads the log page by page (`readAllPages`: one page read ahead, never more; a page that
 * times out on a busy store is read again from the same position, smaller, after a pause) and
 * feeds every event to the audit, in order. Stops at the head as it was when the last page was
 * read. The same function serves the CLI and the tests.
 */
export async function replayStore(
  store: EventStore,
  audit: Audit,
  options: ReplayOptions = {},
): Promise<ReplayResult> {
  const primer = options.from === undefined ? undefined : new HistoryPrimer(store, audit, options.from);
  let after = options.from;
  let events = 0;
  let pages = 0;
  let retries = 0;
  for await (const page of readAllPages(store, {
    ...(options.from === undefined ? {} : { after: options.from }),
    pageSize: options.pageSize ?? 1_000,
    ...(options.retries === undefined ? {} : { retries: options.retries }),
    ...(options.backoffMs === undefined ? {} : { backoffMs: options.backoffMs }),
    onRetry: (error, attempt, at) => {
      retries += 1;
      options.onRetry?.(error, attempt, at);
    },
  })) {
    pages += 1;
    after = page[page.length - 1]!.position;
    if (primer !== undefined) await primer.primeFor(page);
    for (const event of page) audit.feed(event);
    events += page.length;
    options.onPage?.(events, after);
  }
  return { events, pages, retries, primedStreams: primer?.streamsRead ?? 0, lastPosition: after };
}
