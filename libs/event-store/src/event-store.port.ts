/**
 * The event store port. Every service appends and reads events through this
 * interface; EventStoreDB/KurrentDB, NATS JetStream and an in-memory store sit
 * behind it. No store client type ever crosses it.
 */

/** Dense, 0-based revision of an event within its stream (first event: 0). */
export type StreamRevision = number;

/**
 * Position of an event in the global log ($all). Totally ordered, strictly
 * increasing in append order. Adapter-defined (JetStream: stream sequence;
 * EventStoreDB: commit * 2^64 + prepare), so treat it as opaque apart from order.
 */
export type GlobalPosition = bigint;

/** What the writer believes about the stream before this append. */
export type ExpectedRevision =
  | 'any' // no check
  | 'no_stream' // the stream must not exist yet
  | 'stream_exists' // the stream must have at least one event
  | StreamRevision; // the last event in the stream has exactly this revision

export interface EventMetadata {
  /** Ties together everything caused by one outside request. */
  readonly correlationId: string;
  /** Id of the event or command that caused this one. */
  readonly causationId: string;
  /** Who did it: `broker`, `vendor:<id>`, `redemption`, `operator`, … (never a customer identity in chain streams). */
  readonly actor: string;
  /**
   * W3C trace context of the request that appended it, filled by the store from the active span
   * (ignored when given on append); absent when tracing is off.
   */
  readonly traceparent?: string;
}

/** An event to append. `id` makes a retried append idempotent. */
export interface NewEvent {
  readonly id: string;
  readonly type: string;
  /** Schema version of `data` for this `type`; old versions are upcast on read. */
  readonly version: number;
  readonly data: unknown;
  readonly metadata: EventMetadata;
}

export interface RecordedEvent extends NewEvent {
  readonly streamName: string;
  readonly revision: StreamRevision;
  readonly position: GlobalPosition;
  /** When the store recorded it (store clock; domain time lives in `data`). */
  readonly recordedAt: Date;
}

export interface AppendOptions {
  /** Defaults to `'any'`. */
  readonly expectedRevision?: ExpectedRevision;
}

export interface AppendResult {
  /** Revision of the last event now in the stream: pass it as the next expected revision. */
  readonly nextExpectedRevision: StreamRevision;
  /** Global position of the last appended event. */
  readonly position: GlobalPosition;
}

export interface ReadStreamOptions {
  /** Defaults to `'forwards'`. */
  readonly direction?: 'forwards' | 'backwards';
  /** First revision to return (inclusive). Defaults to the start (forwards) or the end (backwards). */
  readonly fromRevision?: StreamRevision;
  readonly maxCount?: number;
}

export interface ReadAllOptions {
  /** Return only events strictly after this position. Defaults to the beginning. */
  readonly after?: GlobalPosition;
  readonly maxCount?: number;
}

export interface SubscriptionFilter {
  /** Stream categories (the part of the stream name before the first `-`), e.g. `chain`. */
  readonly categories?: readonly string[];
  readonly eventTypes?: readonly string[];
}

/** Durable record of the last position a subscriber has fully handled. */
export interface CheckpointStore {
  load(subscriptionId: string): Promise<GlobalPosition | undefined>;
  store(subscriptionId: string, position: GlobalPosition): Promise<void>;
}

interface SubscribeOptionsBase {
  /** Names the subscriber; its checkpoint is kept under this id. */
  readonly subscriptionId: string;
  readonly filter?: SubscriptionFilter;
  /** Where checkpoints are kept; defaults to the adapter's own durable store. */
  readonly checkpoints?: CheckpointStore;
  /**
   * Called when the subscription has caught up with the log's head (and after each later idle).
   * With `handleBatch`, after the batches of the events that had arrived with the news.
   */
  readonly onCaughtUp?: () => void;
}

/** One event at a time. */
export interface SubscribeEachOptions extends SubscribeOptionsBase {
  /**
   * Called once per matching event, in global order. The checkpoint moves past an
   * event only after its handler resolved; a throw stops the subscription (the
   * event is retried on restart).
   */
  readonly handler: (event: RecordedEvent) => Promise<void>;
  readonly handleBatch?: undefined;
  readonly maxBatch?: undefined;
}

/** Events in batches: whatever has already arrived, so that a handler can do one write for many. */
export interface SubscribeBatchOptions extends SubscribeOptionsBase {
  /**
   * Called with the matching events already delivered and waiting, in global order
   * (never empty, at most `maxBatch`); it never waits for more to fill a batch, so a
   * quiet feed gives batches of one and a busy one (or a slow handler) larger ones.
   * The checkpoint moves past the whole batch once the handler resolved; a throw
   * stops the subscription and stores nothing of the batch (all of it is retried
   * on restart). Handled one batch at a time.
   */
  readonly handleBatch: (events: readonly RecordedEvent[]) => Promise<void>;
  /** Largest batch: a positive integer, 256 when not given. */
  readonly maxBatch?: number;
  /**
   * Lingering: when what has arrived makes a batch smaller than `maxBatch`, wait up to this many
   * milliseconds (from the batch's first event) for more before handling it (a caught-up mark
   * that came meanwhile is taken after it). Under a steady stream of live events that turns many
   * batches of one or two into fewer, larger ones (one write for many) for at most this much more
   * lag. 0 (the default): no wait.
   */
  readonly lingerMs?: number;
  readonly handler?: undefined;
}

export type SubscribeOptions = SubscribeEachOptions | SubscribeBatchOptions;

export interface Subscription {
  /** Resolves when the subscription stops: after `stop()`, or rejects if a handler threw. */
  readonly done: Promise<void>;
  stop(): Promise<void>;
}

export interface EventStore {
  appendToStream(stream: string, events: readonly NewEvent[], options?: AppendOptions): Promise<AppendResult>;
  /** Events of one stream; an empty array when the stream does not exist. */
  readStream(stream: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /** Events of all streams in global order. */
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  /** Catch-up subscription over all events, resuming from its durable checkpoint. */
  subscribeToAll(options: SubscribeOptions): Subscription;
  /** A checkpoint store kept durably in this store's own backend. */
  checkpoints(): CheckpointStore;
  close(): Promise<void>;
}
