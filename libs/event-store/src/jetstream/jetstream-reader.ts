import {
  AckPolicy,
  DeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import type {
  GlobalPosition,
  ReadStreamOptions,
  RecordedEvent,
  SubscriptionFilter,
} from '../event-store.port.js';
import { readWindow } from '../shared/read-window.js';
import type { Feed, FeedItem } from '../shared/subscription-runner.js';
import { decodeEvent, fromStored } from './jetstream-codec.js';
import { categorySubject, type ResolvedJetStreamConfig, subjectOf } from './jetstream-config.js';
import { translate } from './jetstream-errors.js';

const BATCH = 1_000;

export function decodeMsg(m: JsMsg): RecordedEvent {
  return decodeEvent({ seq: m.seq, headers: m.headers, data: m.data, time: m.time });
}

/** Reads through short-lived pull consumers: one request to create, then batches of up to 1,000 messages. */
export class JetStreamReader {
  constructor(
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly config: ResolvedJetStreamConfig,
  ) {}

  async readStream(stream: string, options: ReadStreamOptions): Promise<RecordedEvent[]> {
    const subject = subjectOf(this.config, stream);
    const backwards = options.direction === 'backwards';
    if (backwards && options.fromRevision === undefined && options.maxCount === 1) {
      // "What is the stream's last event?" is common (writers before appending): one direct get.
      const last = await this.jsm.direct.getMessage(this.config.streamName, { last_by_subj: subject });
      return last ? [decodeEvent(fromStored(last))] : [];
    }
    // Revisions are dense, so the n-th message on the subject is revision n: forwards reads can stop early.
    const limit =
      !backwards && options.maxCount !== undefined
        ? (options.fromRevision ?? 0) + options.maxCount
        : undefined;
    const events = await this.readRange(1, subject, limit);
    return readWindow(events, options);
  }

  readAll(after: GlobalPosition | undefined, maxCount: number | undefined): Promise<RecordedEvent[]> {
    return this.readRange(Number(after ?? 0n) + 1, `${this.config.subjectPrefix}.>`, maxCount);
  }

  /** Events from `startSeq` on `filter`, up to `limit`, as they are when the read starts. */
  private async readRange(
    startSeq: number,
    filter: string,
    limit: number | undefined,
  ): Promise<RecordedEvent[]> {
    if (limit !== undefined && limit <= 0) return [];
    const info = await this.jsm.consumers.add(this.config.streamName, {
      ack_policy: AckPolicy.None,
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: startSeq,
      filter_subject: filter,
      mem_storage: true,
      num_replicas: 1,
      inactive_threshold: nanos(30_000),
    });
    const out: RecordedEvent[] = [];
    try {
      const want = Math.min(info.num_pending, limit ?? Number.POSITIVE_INFINITY);
      const consumer = this.js.consumers.getConsumerFromInfo(info);
      while (out.length < want) {
        const batch = await consumer.fetch({
          max_messages: Math.min(BATCH, want - out.length),
          expires: this.config.requestTimeoutMs,
        });
        const before = out.length;
        for await (const m of batch) out.push(decodeMsg(m));
        if (out.length === before) throw new Error(`read stalled at ${out.length} of ${want} events`);
      }
    } finally {
      this.jsm.consumers.delete(this.config.streamName, info.name).catch(() => undefined);
    }
    return out;
  }

  /** A live feed after `after`; a single category is filtered by the server, the rest by the runner. */
  async openFeed(after: GlobalPosition | undefined, filter: SubscriptionFilter | undefined): Promise<Feed> {
    const only = filter?.categories?.length === 1 ? filter.categories[0] : undefined;
    const consumer = await this.js.consumers.get(this.config.streamName, {
      filter_subjects: only ? categorySubject(this.config, only) : `${this.config.subjectPrefix}.>`,
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: Number(after ?? 0n) + 1,
    });
    const pending = (await consumer.info(true)).num_pending;
    const messages = await consumer.consume({ max_messages: 256 });
    async function* items(): AsyncGenerator<FeedItem> {
      if (pending === 0) yield { kind: 'caught-up' };
      try {
        for await (const m of messages) {
          yield { kind: 'event', event: decodeMsg(m) };
          if (m.info.pending === 0) yield { kind: 'caught-up' };
        }
      } catch (error) {
        throw translate(error, 'subscription');
      }
    }
    const iterator = items();
    return {
      [Symbol.asyncIterator]: () => iterator,
      close: async () => {
        await messages.close();
        await consumer.delete().catch(() => undefined);
      },
    };
  }
}
