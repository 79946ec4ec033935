import type { EventStore, GlobalPosition, RecordedEvent } from '#event-store';
import type { Audit } from '../core/audit.js';
import { HistoryPrimer } from './history-primer.js';

export interface ReplayOptions {
  /** Replay the events strictly after this position (earlier history is primed per stream). */
  readonly from?: GlobalPosition;
  /** Events per `readAll` page. Default 1,000. */
  readonly pageSize?: number;
  /** Called after each page, e.g. for progress on a terminal. */
  readonly onPage?: (events: number, lastPosition: GlobalPosition) => void;
}

export interface ReplayResult {
  readonly events: number;
  readonly pages: number;
  /** Streams read separately to prime history before `from`. */
  readonly primedStreams: number;
  readonly lastPosition: GlobalPosition | undefined;
}

/**
 * Reads the log page by page (`readAll({ after, maxCount })`) and feeds every
 * event to the audit, in order. Stops at the head as it was when the last
 * page was read. The same function serves the CLI and the tests.
 */
export async function replayStore(
  store: EventStore,
  audit: Audit,
  options: ReplayOptions = {},
): Promise<ReplayResult> {
  const pageSize = options.pageSize ?? 1_000;
  const primer = options.from === undefined ? undefined : new HistoryPrimer(store, audit, options.from);
  const read = (after: GlobalPosition | undefined): Promise<RecordedEvent[]> =>
    store.readAll({ ...(after === undefined ? {} : { after }), maxCount: pageSize });
  let after = options.from;
  let events = 0;
  let pages = 0;
  let next: Promise<RecordedEvent[]> | undefined = read(after);
  while (next !== undefined) {
    const page: RecordedEvent[] = await next;
    if (page.length === 0) break;
    pages += 1;
    after = page[page.length - 1]?.position;
    // Read the next page while this one is checked: the store's latency hides behind the hashing.
    next = page.length < pageSize ? undefined : read(after);
    // A failed read-ahead must not go unhandled while this page is checked; `await next` rethrows it.
    next?.catch(() => undefined);
    if (primer !== undefined) await primer.primeFor(page);
    for (const event of page) audit.feed(event);
    events += page.length;
    if (after !== undefined) options.onPage?.(events, after);
  }
  return { events, pages, primedStreams: primer?.streamsRead ?? 0, lastPosition: after };
}
