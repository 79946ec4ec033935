import { activeTraceparent, withTraceparent } from '../shared/trace-context.js';
import { EventStoreUnavailableError, InvalidEventStoreRequestError } from '../errors.js';
import type {
  AppendOptions,
  AppendResult,
  CheckpointStore,
  EventStore,
  GlobalPosition,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
} from '../event-store.port.js';
import { readWindow } from '../shared/read-window.js';
import { type Feed, type FeedItem, runSubscription } from '../shared/subscription-runner.js';
import { OpenSubscriptions } from '../shared/subscriptions.js';
import { assertAppendable, assertStreamName, checkExpectedRevision, jsonCopy } from '../shared/validation.js';
import { InMemoryCheckpointStore } from './in-memory-checkpoint-store.js';

/** Most events a subscription's feed hands over at once (what it has "delivered" so far). */
const FEED_CHUNK = 1_000;

export interface InMemoryEventStoreOptions {
  /** Store clock for `recordedAt`. */
  readonly now?: () => Date;
  /** Share one across instances to let checkpoints outlive a "restart". */
  readonly checkpoints?: CheckpointStore;
}

/**
 * The reference adapter: atomic appends, permanent idempotency by event id per
 * stream, global positions 1, 2, 3, … Data is copied through JSON so that what
 * a test reads back is what a real store would return.
 */
export class InMemoryEventStore implements EventStore {
  private readonly log: RecordedEvent[];
  private readonly streams: Map<string, RecordedEvent[]>;
  /** stream → event id → revision, for idempotent retries. */
  private readonly ids: Map<string, Map<string, number>>;
  private readonly waiters: Set<() => void>;
  private readonly checkpointStore: CheckpointStore;
  private readonly now: () => Date;
  private readonly subscriptions = new OpenSubscriptions();
  private closed = false;

  constructor(options: InMemoryEventStoreOptions = {}, shared?: InMemoryEventStore) {
    this.now = options.now ?? shared?.now ?? (() => new Date());
    this.checkpointStore = options.checkpoints ?? shared?.checkpointStore ?? new InMemoryCheckpointStore();
    this.log = shared?.log ?? [];
    this.streams = shared?.streams ?? new Map<string, RecordedEvent[]>();
    this.ids = shared?.ids ?? new Map<string, Map<string, number>>();
    this.waiters = shared?.waiters ?? new Set();
  }

  /** A new instance over the same events and checkpoints, as after a process restart. */
  reopen(): InMemoryEventStore {
    return new InMemoryEventStore({}, this);
  }

  async appendToStream(
    stream: string,
    events: readonly NewEvent[],
    options?: AppendOptions,
  ): Promise<AppendResult> {
    this.assertOpen();
    assertAppendable(stream, events);
    const recorded = this.streams.get(stream) ?? [];
    const ids = this.ids.get(stream) ?? new Map<string, number>();
    const retried = this.alreadyAppended(stream, events, recorded, ids);
    if (retried) return retried;
    checkExpectedRevision(stream, options?.expectedRevision ?? 'any', lastRevision(recorded));
    const copies = events.map((e) => jsonCopy(e));
    const recordedAt = this.now();
    const traceparent = activeTraceparent();
    for (const e of copies) {
      const event: RecordedEvent = {
        ...e,
        metadata: withTraceparent(e.metadata, traceparent),
        streamName: stream,
        revision: recorded.length,
        position: BigInt(this.log.length + 1),
        recordedAt,
      };
      recorded.push(event);
      ids.set(e.id, event.revision);
      this.log.push(event);
    }
    this.streams.set(stream, recorded);
    this.ids.set(stream, ids);
    for (const wake of [...this.waiters]) wake();
    const last = recorded[recorded.length - 1]!;
    return { nextExpectedRevision: last.revision, position: last.position };
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    assertStreamName(stream);
    return readWindow(this.streams.get(stream) ?? [], options).map(copyOf);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const from = options.after === undefined ? 0 : Number(options.after);
    const to = options.maxCount === undefined ? undefined : from + options.maxCount;
    return this.log.slice(from, to).map(copyOf);
  }

  subscribeToAll(options: SubscribeOptions): Subscription {
    this.assertOpen();
    return this.subscriptions.track(
      runSubscription(options, this.checkpointStore, async (after) => this.feed(after)),
    );
  }

  checkpoints(): CheckpointStore {
    return this.checkpointStore;
  }

  async close(): Promise<void> {
    await this.subscriptions.stopAll();
    this.closed = true;
    for (const wake of [...this.waiters]) wake();
  }

  /**
   * A retry of a batch whose first event is already in the stream succeeds
   * without writing, whatever revision it expected (it was checked the first time).
   */
  private alreadyAppended(
    stream: string,
    events: readonly NewEvent[],
    recorded: readonly RecordedEvent[],
    ids: ReadonlyMap<string, number>,
  ): AppendResult | undefined {
    const first = ids.get(events[0]!.id);
    if (first === undefined) {
      const clash = events.find((e) => ids.has(e.id));
      if (clash)
        throw new InvalidEventStoreRequestError(`append to ${stream}: event id ${clash.id} is already used`);
      return undefined;
    }
    events.forEach((e, i) => {
      if (ids.get(e.id) !== first + i) {
        throw new InvalidEventStoreRequestError(
          `append to ${stream}: retry of a different batch (event ${e.id})`,
        );
      }
    });
    const last = recorded[first + events.length - 1]!;
    return { nextExpectedRevision: last.revision, position: last.position };
  }

  private feed(after: GlobalPosition | undefined): Feed {
    let open = true;
    let next = after === undefined ? 0 : Number(after);
    const wait = (): Promise<void> =>
      new Promise((resolve) => {
        const wake = (): void => {
          this.waiters.delete(wake);
          resolve();
        };
        this.waiters.add(wake);
      });
    const items = async function* (this: InMemoryEventStore): AsyncGenerator<FeedItem[]> {
      while (open && !this.closed) {
        if (next < this.log.length) {
          const end = Math.min(this.log.length, next + FEED_CHUNK);
          const chunk = this.log.slice(next, end).map((e): FeedItem => ({ kind: 'event', event: copyOf(e) }));
          next = end;
          yield chunk;
          continue;
        }
        yield [{ kind: 'caught-up' }];
        if (open && !this.closed && next >= this.log.length) await wait();
      }
    }.call(this);
    return {
      [Symbol.asyncIterator]: () => items,
      close: async () => {
        open = false;
        for (const wake of [...this.waiters]) wake();
      },
    };
  }

  private assertOpen(): void {
    if (this.closed) throw new EventStoreUnavailableError('in-memory event store is closed');
  }
}

function lastRevision(recorded: readonly RecordedEvent[]): number | undefined {
  return recorded.length === 0 ? undefined : recorded.length - 1;
}

function copyOf(e: RecordedEvent): RecordedEvent {
  return { ...e, data: jsonCopy(e.data), metadata: { ...e.metadata }, recordedAt: new Date(e.recordedAt) };
}
