import {
  AckPolicy,
  DeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import type { GlobalPosition, ReadStreamOptions, RecordedEvent } from '../event-store.port.js';
import { decodeEvent, headerMap, revisionOf, type StoredMessage } from './jetstream-codec.js';
import { type ResolvedJetStreamConfig, subjectOf } from './jetstream-config.js';
import type { DirectGet } from './jetstream-direct.js';
import { type RevisionWindow, walkable, walkBack } from './stream-walk.js';

/** Messages per fetch from a consumer, and per batched direct get. */
const BATCH = 1_000;
/** Batched direct gets in flight at once for `readAll` (their ranges are known up front). */
const BATCHES_IN_FLIGHT = 8;
/**
 * A `readAll` page up to this long is fetched by sequence, all at once (a
 * projection's tail); a longer one through a consumer, which costs less per
 * event once created.
 */
const DIRECT_PAGE_MAX = 64;

export function decodeMsg(m: JsMsg): RecordedEvent {
  return decodeEvent({ seq: m.seq, headers: headerMap(m.headers), data: m.data, time: m.time });
}

/** What the server can do for reads, found out at connect. */
export interface ReadCapabilities {
  /** Batched direct get (nats-server 2.11+): many messages per request, no consumer. */
  readonly batchDirectGet: boolean;
}

/**
 * Reads. A stream: its last message by direct get, then back along the
 * sequences each message carries of the events before it (`walkBack`), all by
 * direct get. Where that does not reach (long streams, events written before
 * the pointers existed), and for `readAll`: batched direct gets on 2.11+, else
 * a short-lived pull consumer fetched in batches.
 */
export class JetStreamReader {
  constructor(
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly direct: DirectGet,
    private readonly config: ResolvedJetStreamConfig,
    private readonly capabilities: ReadCapabilities,
  ) {}

  async readStream(stream: string, options: ReadStreamOptions): Promise<RecordedEvent[]> {
    const subject = subjectOf(this.config, stream);
    const last = await this.direct.lastBySubject(subject);
    if (!last) return [];
    const window = windowOf(options, revisionOf(last));
    if (!window) return [];
    const walked = walkable(revisionOf(last), window.lo)
      ? await walkBack(this.direct, stream, last, window)
      : undefined;
    const events = walked
      ? walked.map(decodeEvent)
      : // Revisions are dense and nothing is ever deleted: the subject's n-th message is revision n.
        (await this.readRange(1, subject, window.hi + 1)).slice(window.lo);
    return options.direction === 'backwards' ? events.reverse() : events;
  }

  async readAll(after: GlobalPosition | undefined, maxCount: number | undefined): Promise<RecordedEvent[]> {
    const startSeq = Number(after ?? 0n) + 1;
    const lastSeq = (await this.jsm.streams.info(this.config.streamName)).state.last_seq;
    // Sequences are dense too (no deletes, no purges), so the range's length is known.
    const count = Math.min(lastSeq - startSeq + 1, maxCount ?? Infinity);
    if (count <= 0) return [];
    if (this.capabilities.batchDirectGet) return this.readSeqs(startSeq, count);
    if (count <= DIRECT_PAGE_MAX) return this.readEach(startSeq, count);
    return this.readRange(startSeq, `${this.config.subjectPrefix}.>`, count);
  }

  /** `count` events from `startSeq` on, one direct get each, all in flight together. */
  private async readEach(startSeq: number, count: number): Promise<RecordedEvent[]> {
    const seqs = Array.from({ length: count }, (_, i) => startSeq + i);
    const messages = await Promise.all(seqs.map((seq) => this.direct.bySeq(seq)));
    return messages.map((message, i) => {
      if (!message) throw new Error(`event at position ${seqs[i]} is missing`);
      return decodeEvent(message);
    });
  }

  /** `count` events from `startSeq` on, whatever their subject, in batched direct gets issued together. */
  private async readSeqs(startSeq: number, count: number): Promise<RecordedEvent[]> {
    const pages = Array.from({ length: Math.ceil(count / BATCH) }, (_, i) => ({
      seq: startSeq + i * BATCH,
      size: Math.min(BATCH, count - i * BATCH),
    }));
    const out: RecordedEvent[][] = new Array<RecordedEvent[]>(pages.length);
    let next = 0;
    const lane = async (): Promise<void> => {
      for (let i = next++; i < pages.length; i = next++) {
        const page = pages[i]!;
        const messages = await this.direct.batch(page.seq, page.size);
        if (messages.length !== page.size || messages[0]?.seq !== page.seq) {
          throw new Error(`read of ${page.size} events from ${page.seq} returned ${messages.length}`);
        }
        out[i] = messages.map(decodeEvent);
      }
    };
    await Promise.all(Array.from({ length: Math.min(BATCHES_IN_FLIGHT, pages.length) }, lane));
    return out.flat();
  }

  /**
   * `count` events from `startSeq` on `filter`: batched direct gets on 2.11+,
   * else a short-lived pull consumer fetched in batches. The count comes from
   * the head, not from the consumer's num_pending, which nats-server 2.9
   * sometimes gets wrong.
   */
  private async readRange(startSeq: number, filter: string, count: number): Promise<RecordedEvent[]> {
    if (count <= 0) return [];
    return this.capabilities.batchDirectGet
      ? this.readRangeDirect(startSeq, filter, count)
      : this.readRangeConsumer(startSeq, filter, count);
  }

  private async readRangeDirect(startSeq: number, subject: string, count: number): Promise<RecordedEvent[]> {
    const out: StoredMessage[] = [];
    for (let seq = startSeq; out.length < count;) {
      const batch = await this.direct.batch(seq, Math.min(BATCH, count - out.length), subject);
      if (batch.length === 0) throw new Error(`read stalled at ${out.length} of ${count} events`);
      out.push(...batch);
      seq = batch[batch.length - 1]!.seq + 1;
    }
    return out.map(decodeEvent);
  }

  private async readRangeConsumer(startSeq: number, filter: string, count: number): Promise<RecordedEvent[]> {
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

/**
 * The revisions a read returns, lowest to highest, given the stream's last
 * revision: forwards from `fromRevision` (default 0), backwards from it
 * (default: the last) down, at most `maxCount`. Undefined when there are none.
 */
export function windowOf(options: ReadStreamOptions, lastRevision: number): RevisionWindow | undefined {
  const max = options.maxCount ?? Number.POSITIVE_INFINITY;
  if (max <= 0) return undefined;
  if ((options.direction ?? 'forwards') === 'forwards') {
    const lo = Math.max(0, options.fromRevision ?? 0);
    if (lo > lastRevision) return undefined;
    return { lo, hi: Math.min(lastRevision, lo + max - 1) };
  }
  const hi = Math.min(lastRevision, options.fromRevision ?? lastRevision);
  if (hi < 0) return undefined;
  return { lo: Math.max(0, hi - max + 1), hi };
}
