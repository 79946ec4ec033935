import {
  AckPolicy,
  DeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import type { GlobalPosition, ReadStreamOptions, RecordedEvent } from '../event-store.port.js';
import {
  checkedPredecessorOf,
  eventOrSkip,
  headerMap,
  revisionOrSkip,
  type StoredMessage,
} from './jetstream-codec.js';
import { type ResolvedJetStreamConfig, subjectOf } from './jetstream-config.js';
import type { DirectGet } from './jetstream-direct.js';
import { type RevisionWindow, walkable, walkBack } from './stream-walk.js';

/** Messages per fetch from a consumer. */
const BATCH = 1_000;
/**
 * A `readAll` page up to this long is fetched by sequence, all at once (a
 * projection's tail); a longer one through a consumer, which costs less per
 * event once created.
 */
const DIRECT_PAGE_MAX = 64;

export function storedOf(m: JsMsg): StoredMessage {
  return { seq: m.seq, subject: m.subject, headers: headerMap(m.headers), data: m.data, time: storedAt(m) };
}

/**
 * When the server stored `m`, to the millisecond, exactly as a direct get says it
 * (`Nats-Time-Stamp`, truncated). The client's `m.time` parses the nanoseconds into a double,
 * which rounds: a message stored at .850999999 s came back as .851 through a consumer and .850
 * through a direct get, so one event had two `recordedAt`s by read path. `timestampNanos` is exact.
 */
export function storedAt(m: { readonly timestampNanos: bigint }): Date {
  return new Date(Number(m.timestampNanos / 1_000_000n));
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
 * the pointers existed) the subject is read through a short-lived pull
 * consumer. `readAll`: a short page by direct get (one batched request on
 * 2.11+), a longer one through a consumer.
 *
 * Why not batched direct get for long reads on 2.11: measured there against a
 * consumer, it took ~1.5× the client CPU per event (each reply message carries
 * six more headers to parse) and gave fewer events/s.
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
    const lastRevision = revisionOrSkip(last);
    if (lastRevision !== undefined) {
      const window = windowOf(options, lastRevision);
      if (!window) return [];
      const walked = walkable(lastRevision, window.lo)
        ? await walkBack(this.direct, stream, last, window)
        : undefined;
      const events = walked?.flatMap((m) => eventOrSkip(m) ?? []);
      if (events?.length === walked?.length && events !== undefined) {
        return options.direction === 'backwards' ? events.reverse() : events;
      }
    }
    // The pointers do not lead there, or the subject holds messages that are not the stream's
    // events: read the whole subject and keep the events as the appender wrote them.
    const events = await this.scan(stream, subject);
    const window = windowOf(options, events.length - 1);
    if (!window) return [];
    const chosen = events.slice(window.lo, window.hi + 1);
    return options.direction === 'backwards' ? chosen.reverse() : chosen;
  }

  /**
   * Every event of `stream`, in revision order, from all the messages on its subject: those the
   * store appended (the server checked their predecessor) with the next revision, skipping any
   * other message a party with write rights on the subject slipped in (raw, forged, re-numbered).
   */
  private async scan(stream: string, subject: string): Promise<RecordedEvent[]> {
    const info = await this.jsm.streams.info(this.config.streamName, { subjects_filter: subject });
    const count = info.state.subjects?.[subject] ?? 0;
    const events: RecordedEvent[] = [];
    for (const message of await this.readRange(1, subject, count)) {
      const event = eventOrSkip(message);
      if (event === undefined || event.streamName !== stream || event.revision !== events.length) continue;
      if (checkedPredecessorOf(message) === undefined) continue;
      events.push(event);
    }
    return events;
  }

  /**
   * Up to `maxCount` events after `after`. Messages that are not NetPay events are skipped, and
   * the page is filled from further on: a short page still means the end of the log.
   */
  async readAll(after: GlobalPosition | undefined, maxCount: number | undefined): Promise<RecordedEvent[]> {
    let startSeq = Number(after ?? 0n) + 1;
    const wanted = maxCount ?? Infinity;
    const lastSeq = (await this.jsm.streams.info(this.config.streamName)).state.last_seq;
    const out: RecordedEvent[] = [];
    while (out.length < wanted) {
      // Sequences are dense (no deletes, no purges), so the range's length is known.
      const count = Math.min(lastSeq - startSeq + 1, wanted - out.length);
      if (count <= 0) break;
      for (const message of await this.page(startSeq, count)) {
        const event = eventOrSkip(message);
        if (event) out.push(event);
      }
      startSeq += count;
    }
    return out;
  }

  /** The `count` messages from `startSeq` on, whatever their subject. */
  private async page(startSeq: number, count: number): Promise<StoredMessage[]> {
    if (count > DIRECT_PAGE_MAX) return this.readRange(startSeq, `${this.config.subjectPrefix}.>`, count);
    const messages = this.capabilities.batchDirectGet
      ? await this.direct.batch(startSeq, count)
      : await Promise.all(Array.from({ length: count }, (_, i) => this.direct.bySeq(startSeq + i)));
    if (messages.length !== count) throw new Error(`read ${messages.length} of ${count} events`);
    // With replicas, any replica answers a direct get, and a follower may not have applied the
    // newest messages yet (seen in the three-node cluster test): read that page through a
    // consumer, which the stream's leader serves.
    if (messages.some((message, i) => message?.seq !== startSeq + i)) {
      return this.readRange(startSeq, `${this.config.subjectPrefix}.>`, count);
    }
    return messages.map((message, i) => {
      if (message?.seq !== startSeq + i) throw new Error(`event at position ${startSeq + i} is missing`);
      return message;
    });
  }

  /**
   * `count` messages from `startSeq` on `filter`, through a short-lived pull
   * consumer fetched in batches. The count comes from the head, not from the
   * consumer's num_pending, which nats-server 2.9 sometimes gets wrong.
   */
  private async readRange(startSeq: number, filter: string, count: number): Promise<StoredMessage[]> {
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
    const out: StoredMessage[] = [];
    try {
      const consumer = this.js.consumers.getConsumerFromInfo(info);
      while (out.length < count) {
        const batch = await consumer.fetch({
          max_messages: Math.min(BATCH, count - out.length),
          expires: this.config.requestTimeoutMs,
        });
        const before = out.length;
        for await (const m of batch) out.push(storedOf(m));
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
