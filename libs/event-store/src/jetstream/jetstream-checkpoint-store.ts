import type { JetStreamManager } from '@nats-io/jetstream';
import { InvalidEventStoreRequestError } from '../errors.js';
import type { CheckpointStore, GlobalPosition } from '../event-store.port.js';
import type { ResolvedJetStreamConfig } from './jetstream-config.js';
import { edge } from './jetstream-errors.js';
import { publishToStream } from './jetstream-publish.js';
import type { InboxRequests } from './inbox-requests.js';

const SUBSCRIPTION_ID = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;
const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** Checkpoints as the last message on `<prefix>_checkpoints.<subscription id>` (the stream keeps one per subject). */
export class JetStreamCheckpointStore implements CheckpointStore {
  constructor(
    private readonly requests: InboxRequests,
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
      publishToStream(this.requests, subject, encoder.encode(position.toString())),
    );
  }

  private subject(subscriptionId: string): string {
    if (!SUBSCRIPTION_ID.test(subscriptionId)) {
      throw new InvalidEventStoreRequestError(`"${subscriptionId}" is not a valid subscription id`);
    }
    return `${this.config.checkpointPrefix}.${subscriptionId}`;
  }
}
