import {
  AckPolicy,
  DeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import type { GlobalPosition, ReadStreamOptions, RecordedEvent } from '../event-store.port.js';
import { decodeEvent, headerMap, revisionOf } from './jetstream-codec.js';
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

export function decodeMsg(m: JsMsg): RecordedEvent {
  return decodeEvent({
    seq: m.seq,
    subject: m.subject,
    headers: headerMap(m.headers),
    data: m.data,
    time: m.time,
  });
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
      return decodeEvent(message);
    });
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
