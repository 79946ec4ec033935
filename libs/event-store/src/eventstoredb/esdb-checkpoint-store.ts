import { BACKWARDS, END, type EventStoreDBClient, jsonEvent } from '@eventstore/db-client';
import { InvalidEventStoreRequestError } from '../errors.js';
import type { CheckpointStore, GlobalPosition } from '../event-store.port.js';
import type { ResolvedEventStoreDbConfig } from './esdb-config.js';
import { edge, isStreamNotFound } from './esdb-errors.js';

const SUBSCRIPTION_ID = /^[A-Za-z0-9_.-]{1,200}$/;

/**
 * One stream per subscriber, `<checkpoint category>-<subscription id>`, capped
 * at one event by stream metadata ($maxCount 1) so old checkpoints are scavenged.
 */
export class EventStoreDbCheckpointStore implements CheckpointStore {
  constructor(
    private readonly client: EventStoreDBClient,
    private readonly config: ResolvedEventStoreDbConfig,
  ) {}

  async load(subscriptionId: string): Promise<GlobalPosition | undefined> {
    const stream = this.streamOf(subscriptionId);
    return edge('load checkpoint', async () => {
      try {
        const read = this.client.readStream<{ type: 'CheckpointStored'; data: { position: string } }>(
          stream,
          {
            direction: BACKWARDS,
            fromRevision: END,
            maxCount: 1,
            deadline: this.config.deadlineMs,
          },
        );
        for await (const resolved of read) {
          if (resolved.event) return BigInt(resolved.event.data.position);
        }
        return undefined;
      } catch (error) {
        if (isStreamNotFound(error)) return undefined;
        throw error;
      }
    });
  }

  async store(subscriptionId: string, position: GlobalPosition): Promise<void> {
    const stream = this.streamOf(subscriptionId);
    await edge('store checkpoint', async () => {
      const result = await this.client.appendToStream(
        stream,
        jsonEvent({ type: 'CheckpointStored', data: { position: position.toString() } }),
        { deadline: this.config.deadlineMs },
      );
      if (result.nextExpectedRevision === 0n) {
        await this.client.setStreamMetadata(stream, { maxCount: 1 }, { deadline: this.config.deadlineMs });
      }
    });
  }

  private streamOf(subscriptionId: string): string {
    if (!SUBSCRIPTION_ID.test(subscriptionId)) {
      throw new InvalidEventStoreRequestError(`"${subscriptionId}" is not a valid subscription id`);
    }
    return `${this.config.checkpointCategory}-${subscriptionId}`;
  }
}
