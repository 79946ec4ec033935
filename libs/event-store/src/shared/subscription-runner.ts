import type {
  CheckpointStore,
  GlobalPosition,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
} from '../event-store.port.js';
import { EventStoreUnavailableError } from '../errors.js';
import { eventFilter } from './filter.js';

/** What an adapter's live feed yields: events in global order, and a mark each time it reaches the head. */
export type FeedItem =
  { readonly kind: 'event'; readonly event: RecordedEvent } | { readonly kind: 'caught-up' };

/** An adapter's stream of events strictly after a position; `close()` ends the iteration. */
export interface Feed extends AsyncIterable<FeedItem> {
  close(): Promise<void>;
}

/**
 * The catch-up loop every adapter shares: load the checkpoint, open the feed
 * after it, hand matching events to the handler one at a time, and store the
 * checkpoint after each handled event. Events the filter drops move the
 * checkpoint too, but only when the feed is idle, to save a write per event.
 */
export function runSubscription(
  options: SubscribeOptions,
  defaultCheckpoints: CheckpointStore,
  openFeed: (after: GlobalPosition | undefined) => Promise<Feed>,
): Subscription {
  const checkpoints = options.checkpoints ?? defaultCheckpoints;
  const matches = eventFilter(options.filter);
  let feed: Feed | undefined;
  let stopped = false;

  async function run(): Promise<void> {
    const start = await checkpoints.load(options.subscriptionId);
    if (stopped) return;
    feed = await openFeed(start);
    if (stopped) return feed.close();
    let stored = start;
    let scanned = start;
    try {
      for await (const item of feed) {
        if (stopped) break;
        if (item.kind === 'caught-up') {
          if (scanned !== undefined && scanned !== stored) {
            await checkpoints.store(options.subscriptionId, scanned);
            stored = scanned;
          }
          options.onCaughtUp?.();
          continue;
        }
        const { event } = item;
        // A feed must never go backwards; a repeat here would be a double apply.
        if (scanned !== undefined && event.position <= scanned) continue;
        if (matches(event)) {
          await options.handler(event);
          await checkpoints.store(options.subscriptionId, event.position);
          stored = event.position;
        }
        scanned = event.position;
      }
      if (!stopped)
        throw new EventStoreUnavailableError(`subscription ${options.subscriptionId}: the feed ended`);
    } finally {
      await feed.close();
    }
  }

  const done = run();
  // The caller may never look at `done` when it only stops; keep the rejection from going unhandled.
  done.catch(() => undefined);
  return {
    done,
    async stop(): Promise<void> {
      stopped = true;
      await feed?.close();
      await done.catch(() => undefined);
    },
  };
}
