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
} from '#event-store';

/**
 * The event store as the broker uses it: every append goes through, and the highest position
 * this process wrote is remembered, so reads from a projection can wait until they include the
 * process's own writes (read-your-writes for the wallet view).
 */
export class TrackingEventStore implements EventStore {
  private highest: GlobalPosition = 0n;

  constructor(readonly inner: EventStore) {}

  /** The highest global position this process appended (0n before any append). */
  lastAppended(): GlobalPosition {
    return this.highest;
  }

  async appendToStream(
    stream: string,
    events: readonly NewEvent[],
    options?: AppendOptions,
  ): Promise<AppendResult> {
    const result = await this.inner.appendToStream(stream, events, options);
    if (result.position > this.highest) this.highest = result.position;
    return result;
  }

  readStream(stream: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    return this.inner.readStream(stream, options);
  }

  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]> {
    return this.inner.readAll(options);
  }

  subscribeToAll(options: SubscribeOptions): Subscription {
    return this.inner.subscribeToAll(options);
  }

  checkpoints(): CheckpointStore {
    return this.inner.checkpoints();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
