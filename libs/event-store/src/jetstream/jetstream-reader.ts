import {
  AckPolicy,
  DeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import type { GlobalPosition, ReadStreamOptions, RecordedEvent } from '../event-store.port.js';
import { readWindow } from '../shared/read-window.js';
import { decodeEvent, fromStored } from './jetstream-codec.js';
import { type ResolvedJetStreamConfig, subjectOf } from './jetstream-config.js';

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
    const found = await this.jsm.direct.getMessage(this.config.streamName, { last_by_subj: subject });
    if (!found) return [];
    const last = decodeEvent(fromStored(found));
    const backwards = options.direction === 'backwards';
    if (backwards && (options.fromRevision ?? last.revision) >= last.revision && options.maxCount === 1) {
      // "What is the stream's last event?" is common (writers before appending): one direct get.
      return [last];
    }
    // Revisions are dense and nothing is ever deleted, so the subject holds exactly revision + 1
    // messages and the n-th is revision n: the read knows its length and forwards reads can stop early.
    const forwardsEnd =
      options.maxCount === undefined ? Infinity : (options.fromRevision ?? 0) + options.maxCount;
    const count = Math.min(last.revision + 1, backwards ? Infinity : forwardsEnd);
    return readWindow(await this.readRange(1, subject, count), options);
  }

  async readAll(after: GlobalPosition | undefined, maxCount: number | undefined): Promise<RecordedEvent[]> {
    const startSeq = Number(after ?? 0n) + 1;
    const lastSeq = (await this.jsm.streams.info(this.config.streamName)).state.last_seq;
    // Sequences are dense too (no deletes, no purges), so the range's length is known.
    const count = Math.min(lastSeq - startSeq + 1, maxCount ?? Infinity);
    return this.readRange(startSeq, `${this.config.subjectPrefix}.>`, count);
  }

  /**
   * `count` events from `startSeq` on `filter`, through a short-lived pull
   * consumer fetched in batches. The count comes from the head, not from the
   * consumer's num_pending, which nats-server 2.9 sometimes gets wrong.
   */
  private async readRange(startSeq: number, filter: string, count: number): Promise<RecordedEvent[]> {
    if (count <= 0) return [];
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
      const consumer = this.js.consumers.getConsumerFromInfo(info);
      while (out.length < count) {
        const batch = await consumer.fetch({
          max_messages: Math.min(BATCH, count - out.length),
          expires: this.config.requestTimeoutMs,
        });
        const before = out.length;
        for await (const m of batch) out.push(decodeMsg(m));
        if (out.length === before) throw new Error(`read stalled at ${out.length} of ${count} events`);
      }
    } finally {
      this.jsm.consumers.delete(this.config.streamName, info.name).catch(() => undefined);
    }
    return out;
  }
}
