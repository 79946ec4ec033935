import type {
  CheckpointStore,
  GlobalPosition,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
} from '../event-store.port.js';
import { EventStoreUnavailableError, InvalidEventStoreRequestError } from '../errors.js';
import { eventFilter } from './filter.js';

/**
 * What an adapter's live feed yields: events in global order, and a mark each time it reaches the
 * head. A feed that can tell from an event's stream and type alone that the subscription's filter
 * drops it may yield only its position (`passed`), leaving its body unparsed.
 */
export type FeedItem =
  | { readonly kind: 'event'; readonly event: RecordedEvent }
  | { readonly kind: 'passed'; readonly position: GlobalPosition }
  | { readonly kind: 'caught-up' };

/**
 * An adapter's stream of events strictly after a position, in chunks: each chunk is what had
 * arrived when it was asked for (never empty; the feed waits only when nothing has). `close()`
 * ends the iteration.
 */
export interface Feed extends AsyncIterable<readonly FeedItem[]> {
  close(): Promise<void>;
}

/** The largest batch handed to `handleBatch` when the subscriber does not say. */
export const DEFAULT_MAX_BATCH = 256;

interface Handling {
  readonly handle: (events: readonly RecordedEvent[]) => Promise<void>;
  readonly maxBatch: number;
  /** Batches: a caught-up mark followed by more events in the same chunk is taken after them. */
  readonly batches: boolean;
  /** Batches: how long a batch smaller than maxBatch may wait for more events (ms). */
  readonly lingerMs: number;
}

function handlingOf(options: SubscribeOptions): Handling {
  const id = options.subscriptionId;
  if (options.handleBatch !== undefined) {
    const maxBatch = options.maxBatch ?? DEFAULT_MAX_BATCH;
    const lingerMs = options.lingerMs ?? 0;
    if (
      options.handler !== undefined ||
      !Number.isSafeInteger(maxBatch) ||
      maxBatch < 1 ||
      !Number.isFinite(lingerMs) ||
      lingerMs < 0
    ) {
      throw new InvalidEventStoreRequestError(
        `subscription ${id}: give either handler or handleBatch, maxBatch ≥ 1 and lingerMs ≥ 0`,
      );
    }
    return { handle: options.handleBatch, maxBatch, batches: true, lingerMs };
  }
  const { handler } = options;
  if (typeof handler !== 'function' || options.maxBatch !== undefined) {
    throw new InvalidEventStoreRequestError(
      `subscription ${id}: give either handler or handleBatch (with maxBatch)`,
    );
  }
  return { handle: (events) => handler(events[0]!), maxBatch: 1, batches: false, lingerMs: 0 };
}

/**
 * The catch-up loop every adapter shares: load the checkpoint, open the feed after it, hand
 * matching events to the handler (one at a time, or with `handleBatch` every matching event of
 * what the feed has already delivered, up to `maxBatch` a call), and store the checkpoint after
 * each handled event or batch. Events the filter drops move the checkpoint too, but only when
 * the feed is idle, to save a write per event.
 *
 * One at a time, a caught-up mark is taken where it comes. In batches it would cut a batch in
 * two when the feed delivers marks between live events, so it is taken once the chunk it came
 * in is handled: the feed had reached the head, and has since gone further.
 */
export function runSubscription(
  options: SubscribeOptions,
  defaultCheckpoints: CheckpointStore,
  openFeed: (after: GlobalPosition | undefined) => Promise<Feed>,
): Subscription {
  const checkpoints = options.checkpoints ?? defaultCheckpoints;
  const matches = eventFilter(options.filter);
  const { handle, maxBatch, batches, lingerMs } = handlingOf(options);
  let feed: Feed | undefined;
  let stopped = false;

  async function run(): Promise<void> {
    const start = await checkpoints.load(options.subscriptionId);
    if (stopped) return;
    feed = await openFeed(start);
    if (stopped) return feed.close();
    let stored = start;
    let scanned = start;
    let batch: RecordedEvent[] = [];

    const flush = async (): Promise<void> => {
      if (batch.length === 0) return;
      const events = batch;
      batch = [];
      await handle(events);
      const last = events[events.length - 1]!.position;
      await checkpoints.store(options.subscriptionId, last);
      stored = last;
    };
    const caughtUp = async (): Promise<void> => {
      if (scanned !== undefined && scanned !== stored) {
        await checkpoints.store(options.subscriptionId, scanned);
        stored = scanned;
      }
      options.onCaughtUp?.();
    };

    const chunks = feed[Symbol.asyncIterator]();
    /** Ends a lingering batch's wait: resolves `undefined` after `ms`. */
    let lingerTimer: ReturnType<typeof setTimeout> | undefined;
    const lingerFor = (ms: number): Promise<undefined> =>
      new Promise((resolve) => (lingerTimer = setTimeout(() => resolve(undefined), ms)));
    try {
      /** The next chunk, once asked for (a lingering batch asks before it is handled). */
      let next: Promise<IteratorResult<readonly FeedItem[]>> | undefined;
      /** When the batch being gathered got its first event (lingering only). */
      let batchStartedAt = 0;
      /** Batches: a caught-up mark came with the events gathered so far (taken once they are handled). */
      let idle = false;
      chunks: for (;;) {
        const result = await (next ?? chunks.next());
        next = undefined;
        if (result.done) break;
        const chunk = result.value;
        for (const item of chunk) {
          if (stopped) break chunks;
          if (item.kind === 'caught-up') {
            if (batches) idle = true;
            else await caughtUp();
            continue;
          }
          if (item.kind === 'passed') {
            if (scanned === undefined || item.position > scanned) scanned = item.position;
            continue;
          }
          const { event } = item;
          // A feed must never go backwards; a repeat here would be a double apply.
          if (scanned !== undefined && event.position <= scanned) continue;
          if (matches(event)) {
            if (lingerMs > 0 && batch.length === 0) batchStartedAt = Date.now();
            batch.push(event);
            if (batch.length >= maxBatch) await flush();
          }
          scanned = event.position;
        }
        if (stopped) break;
        if (lingerMs > 0 && batch.length > 0 && batch.length < maxBatch) {
          // Linger: wait for the next chunk until the batch's time is up, then handle what there is.
          // Also after a caught-up mark: a live feed that keeps up says so after every event.
          const left = batchStartedAt + lingerMs - Date.now();
          if (left > 0) {
            next = chunks.next();
            const more = await Promise.race([next, lingerFor(left)]);
            clearTimeout(lingerTimer);
            // More arrived in time: take it into this batch (the next turn of the loop reads it).
            if (more !== undefined) continue;
          }
        }
        await flush();
        if (idle && !stopped) await caughtUp();
        idle = false;
      }
      if (!stopped)
        throw new EventStoreUnavailableError(`subscription ${options.subscriptionId}: the feed ended`);
    } finally {
      clearTimeout(lingerTimer);
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
