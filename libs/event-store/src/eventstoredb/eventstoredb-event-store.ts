import {
  type AppendExpectedRevision,
  ANY,
  EventStoreDBClient,
  NO_STREAM,
  STREAM_EXISTS,
} from '@eventstore/db-client';
import { ConcurrencyError, EventStoreUnavailableError } from '../errors.js';
import type {
  AppendOptions,
  AppendResult,
  CheckpointStore,
  EventStore,
  ExpectedRevision,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
} from '../event-store.port.js';
import { runSubscription } from '../shared/subscription-runner.js';
import { activeTraceparent } from '../shared/trace-context.js';
import { OpenSubscriptions } from '../shared/subscriptions.js';
import { assertAppendable, assertStreamName } from '../shared/validation.js';
import { EventStoreDbCheckpointStore } from './esdb-checkpoint-store.js';
import { encodeEvent, toGlobalPosition } from './esdb-codec.js';
import { type EventStoreDbConfig, resolveConfig, type ResolvedEventStoreDbConfig } from './esdb-config.js';
import { edge } from './esdb-errors.js';
import { openFeed } from './esdb-feed.js';
import { readAllEvents, readStreamEvents } from './esdb-reads.js';

/**
 * Event store on EventStoreDB / KurrentDB over gRPC. Appends are atomic and
 * idempotent by event id (the server's own checks); GlobalPosition is
 * `commit * 2^64 + prepare`. System events and checkpoint streams are hidden.
 */
export class EventStoreDbEventStore implements EventStore {
  private readonly checkpointStore: EventStoreDbCheckpointStore;
  private readonly subscriptions = new OpenSubscriptions();
  private closed = false;

  private constructor(
    private readonly client: EventStoreDBClient,
    private readonly config: ResolvedEventStoreDbConfig,
  ) {
    this.checkpointStore = new EventStoreDbCheckpointStore(client, config);
  }

  /** Creates the client and checks the server answers (the client itself connects lazily). */
  static async connect(config: EventStoreDbConfig): Promise<EventStoreDbEventStore> {
    const resolved = resolveConfig(config);
    const client = await edge('connect', async () =>
      EventStoreDBClient.connectionString(resolved.connectionString),
    );
    const store = new EventStoreDbEventStore(client, resolved);
    try {
      // A read of a stream that need not exist: needs no $all permissions, proves the server answers.
      await edge('reach the server', () =>
        readStreamEvents(client, resolved, `${resolved.checkpointCategory}-connection_check`, {
          maxCount: 1,
        }),
      );
    } catch (error) {
      await client.dispose().catch(() => undefined);
      throw error;
    }
    return store;
  }

  async appendToStream(
    stream: string,
    events: readonly NewEvent[],
    options?: AppendOptions,
  ): Promise<AppendResult> {
    this.assertOpen();
    assertAppendable(stream, events);
    const expected = options?.expectedRevision ?? 'any';
    const traceparent = activeTraceparent();
    return edge(
      `append to ${stream}`,
      async () => {
        const result = await this.client.appendToStream(
          stream,
          events.map((e) => encodeEvent(e, traceparent)),
          {
            expectedRevision: toEsdbExpected(expected),
            deadline: this.config.deadlineMs,
          },
        );
        const next = Number(result.nextExpectedRevision);
        if (!result.success) throw new ConcurrencyError(stream, expected, next < 0 ? 'no_stream' : next);
        // One event: the append's position is the event's. A batch, or an idempotent retry
        // (the server may not report a position then): look the last event up.
        if (events.length === 1 && result.position) {
          return { nextExpectedRevision: next, position: toGlobalPosition(result.position) };
        }
        const [last] = await readStreamEvents(this.client, this.config, stream, {
          fromRevision: next,
          maxCount: 1,
        });
        if (!last) throw new EventStoreUnavailableError(`append to ${stream}: revision ${next} not readable`);
        return { nextExpectedRevision: next, position: last.position };
      },
      expected,
    );
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    assertStreamName(stream);
    return edge(`read ${stream}`, () => readStreamEvents(this.client, this.config, stream, options));
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    return edge('read all', () => readAllEvents(this.client, this.config, options.after, options.maxCount));
  }

  subscribeToAll(options: SubscribeOptions): Subscription {
    this.assertOpen();
    return this.subscriptions.track(
      runSubscription(options, this.checkpointStore, (after) =>
        edge(`subscribe ${options.subscriptionId}`, () =>
          openFeed(this.client, this.config, after, options.filter),
        ),
      ),
    );
  }

  checkpoints(): CheckpointStore {
    return this.checkpointStore;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.subscriptions.stopAll();
    await this.client.dispose().catch(() => undefined);
  }

  private assertOpen(): void {
    if (this.closed) throw new EventStoreUnavailableError('EventStoreDB event store is closed');
  }
}

function toEsdbExpected(expected: ExpectedRevision): AppendExpectedRevision {
  if (expected === 'any') return ANY;
  if (expected === 'no_stream') return NO_STREAM;
  if (expected === 'stream_exists') return STREAM_EXISTS;
  return BigInt(expected);
}
