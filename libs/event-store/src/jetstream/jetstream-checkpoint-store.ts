import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import { InvalidEventStoreRequestError } from '../errors.js';
import type { CheckpointStore, GlobalPosition } from '../event-store.port.js';
import type { ResolvedJetStreamConfig } from './jetstream-config.js';
import { edge } from './jetstream-errors.js';

const SUBSCRIPTION_ID = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;
const decoder = new TextDecoder();

/** Checkpoints as the last message on `<prefix>_checkpoints.<subscription id>` (the stream keeps one per subject). */
export class JetStreamCheckpointStore implements CheckpointStore {
  constructor(
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly config: ResolvedJetStreamConfig,
  ) {}

  async load(subscriptionId: string): Promise<GlobalPosition | undefined> {
    const subject = this.subject(subscriptionId);
    return edge('load checkpoint', async () => {
      const last = await this.jsm.direct.getMessage(this.config.checkpointStreamName, {
        last_by_subj: subject,
      });
      return last ? BigInt(decoder.decode(last.data)) : undefined;
    });
  }

  async store(subscriptionId: string, position: GlobalPosition): Promise<void> {
    const subject = this.subject(subscriptionId);
    await edge('store checkpoint', () =>
      this.js.publish(subject, position.toString(), { timeout: this.config.requestTimeoutMs }),
    );
  }

  private subject(subscriptionId: string): string {
    if (!SUBSCRIPTION_ID.test(subscriptionId)) {
      throw new InvalidEventStoreRequestError(`"${subscriptionId}" is not a valid subscription id`);
    }
    return `${this.config.checkpointPrefix}.${subscriptionId}`;
  }
}
