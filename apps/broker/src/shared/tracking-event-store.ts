import {
  DelegatingEventStore,
  type AppendOptions,
  type AppendResult,
  type GlobalPosition,
  type NewEvent,
} from '#event-store';

/**
 * The event store as the broker uses it: every append goes through, and the highest position
 * this process wrote is remembered, so reads from a projection can wait until they include the
 * process's own writes (read-your-writes for the wallet view).
 */
export class TrackingEventStore extends DelegatingEventStore {
  private highest: GlobalPosition = 0n;

  /** The highest global position this process appended (0n before any append). */
  lastAppended(): GlobalPosition {
    return this.highest;
  }

  override async appendToStream(
    stream: string,
    events: readonly NewEvent[],
    options?: AppendOptions,
  ): Promise<AppendResult> {
    const result = await super.appendToStream(stream, events, options);
    if (result.position > this.highest) this.highest = result.position;
    return result;
  }
}
