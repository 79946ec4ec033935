import type { JetStreamManager } from '@nats-io/jetstream';
import { headers } from '@nats-io/nats-core';
import { InvalidEventStoreRequestError } from '../errors.js';
import type { LeaseRecord, LeaseRegister, LeaseWriteOptions, StoredLease } from '../lease/leader-lease.js';
import type { InboxRequests } from './inbox-requests.js';
import type { ResolvedJetStreamConfig } from './jetstream-config.js';
import { edge, translate, wrongLastSequence } from './jetstream-errors.js';
import { publishToStream } from './jetstream-publish.js';

const NAME = /^[A-Za-z0-9_-]{1,64}$/;
const decoder = new TextDecoder();
const encoder = new TextEncoder();

/**
 * A lease register on `checkpoints.<prefix>.lease.<name>` in the checkpoint stream (one message
 * kept per subject, replicated like the events): the roles that keep checkpoints may already
 * write there, and the server's per-subject compare-and-set decides who holds the lease.
 */
export class JetStreamLeaseRegister implements LeaseRegister {
  private readonly subject: string;

  constructor(
    private readonly requests: InboxRequests,
    private readonly jsm: JetStreamManager,
    private readonly config: ResolvedJetStreamConfig,
    name: string,
  ) {
    if (!NAME.test(name)) throw new InvalidEventStoreRequestError(`"${name}" is not a valid lease name`);
    this.subject = `${config.checkpointPrefix}.lease.${name}`;
  }

  async read(): Promise<StoredLease | undefined> {
    return edge('read lease', async () => {
      const last = await this.jsm.direct.getMessage(this.config.checkpointStreamName, {
        last_by_subj: this.subject,
      });
      if (!last) return undefined;
      const record = JSON.parse(decoder.decode(last.data)) as Partial<LeaseRecord>;
      if (typeof record.holder !== 'string' || (record.state !== 'held' && record.state !== 'released')) {
        // Not a lease record: treat it as held by nobody we know, so it expires like any other.
        return { seq: last.seq, record: { holder: '?', state: 'held' } };
      }
      return { seq: last.seq, record: { holder: record.holder, state: record.state } };
    });
  }

  async write(
    record: LeaseRecord,
    expectedSeq: number,
    options: LeaseWriteOptions = {},
  ): Promise<number | undefined> {
    const h = headers();
    h.set('Nats-Expected-Last-Subject-Sequence', String(expectedSeq));
    try {
      const ack = await publishToStream(
        this.requests,
        this.subject,
        encoder.encode(JSON.stringify(record)),
        h,
        options.timeoutMs,
      );
      return ack.seq;
    } catch (error) {
      // The subject moved on since we read it: someone else wrote the lease first.
      if (wrongLastSequence(error) !== undefined) return undefined;
      throw translate(error, 'write lease');
    }
  }
}
