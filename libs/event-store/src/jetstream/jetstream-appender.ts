import { ConcurrencyError, EventStoreUnavailableError } from '../errors.js';
import type { AppendResult, ExpectedRevision, NewEvent, RecordedEvent } from '../event-store.port.js';
import {
  encodeEvent,
  H,
  messageId,
  PRIOR_SEQS,
  priorSeqsOf,
  revisionOf,
  type StoredMessage,
  streamOf,
  isLinked,
  revisionOrSkip,
} from './jetstream-codec.js';
import { type ResolvedJetStreamConfig, subjectOf } from './jetstream-config.js';
import type { DirectGet } from './jetstream-direct.js';
import { wrongLastSequence } from './jetstream-errors.js';
import { publishToStream, type StoredAck } from './jetstream-publish.js';
import type { InboxRequests } from './inbox-requests.js';
import {
  advance,
  expectedLastSeq,
  type Head,
  KeyedQueue,
  NO_STREAM,
  priorOfNext,
  StreamHeads,
} from './stream-heads.js';

const MAX_ATTEMPTS = 100;
/** An expected subject sequence no subject can have: the publish is refused unless it is a duplicate. */
const IMPOSSIBLE_SEQ = Number.MAX_SAFE_INTEGER;

type Published = { readonly ack: StoredAck } | { readonly wrongLastSeq: number };

/**
 * Appends with optimistic concurrency on top of JetStream 2.9:
 * - each event is one message on the stream's subject, published with
 *   `Nats-Expected-Last-Subject-Sequence` = the sequence of the stream's last
 *   event (0 for a new stream), so the server refuses it if anyone got in first;
 * - the dense revision travels in a header, one more than the head's, and the
 *   sequences of the events before it in another (reads walk back along them);
 * - `Nats-Msg-Id` = `<stream>/<event id>`: the server checks it before the
 *   expected sequence, so a retry inside the duplicate window is acknowledged
 *   as a duplicate with the original sequence and never conflicts.
 */
export class JetStreamAppender {
  readonly heads = new StreamHeads();
  private readonly queue = new KeyedQueue();

  constructor(
    private readonly requests: InboxRequests,
    private readonly direct: DirectGet,
    private readonly config: ResolvedJetStreamConfig,
    /** The stream's last event as the reader validates it (a scan when the subject's tail is not one). */
    private readonly lastEvent: (stream: string) => Promise<RecordedEvent | undefined>,
  ) {}

  append(stream: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    return this.queue.run(stream, () => this.appendInOrder(stream, events, expected));
  }

  /** The stream's head as the server has it now. */
  async loadHead(stream: string): Promise<Head> {
    const last = await this.direct.lastBySubject(subjectOf(this.config, stream));
    let head = NO_STREAM;
    const revision = last ? revisionOrSkip(last) : undefined;
    if (last && revision !== undefined && streamOf(last) === stream && isLinked(last, revision)) {
      head = headAt(last);
    } else if (last) {
      // The subject ends with a message the store did not append: go on after the last event.
      const event = await this.lastEvent(stream);
      head = event
        ? { revision: event.revision, seq: Number(event.position), prior: [], tail: last.seq }
        : { ...NO_STREAM, tail: last.seq };
    }
    this.heads.remember(stream, head);
    return head;
  }

  private async appendInOrder(
    stream: string,
    events: readonly NewEvent[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    let head = this.heads.get(stream) ?? (expected === 'no_stream' ? NO_STREAM : await this.loadHead(stream));
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      if (!satisfies(expected, head.revision)) {
        // Before calling it a conflict: is this a retry of events already in, and is our head current?
        const probe = await this.publish(stream, events[0]!, head.revision ?? -1, IMPOSSIBLE_SEQ, []);
        if ('ack' in probe) return this.continueRetry(stream, events, probe.ack.seq);
        if (probe.wrongLastSeq !== expectedLastSeq(head)) {
          head = await this.loadHead(stream);
          if (satisfies(expected, head.revision)) continue;
        }
        throw new ConcurrencyError(stream, expected, head.revision ?? 'no_stream');
      }
      const first = await this.publishAfter(stream, events[0]!, head);
      if ('wrongLastSeq' in first) {
        head = await this.loadHead(stream);
        continue;
      }
      if (first.ack.duplicate) return this.continueRetry(stream, events, first.ack.seq);
      head = advance(head, first.ack.seq);
      this.heads.remember(stream, head);
      return this.publishRest(stream, events, 1, head);
    }
    throw new EventStoreUnavailableError(
      `append to ${stream}: gave up after ${MAX_ATTEMPTS} contended attempts`,
    );
  }

  /** The batch's first event is already stored at `seq`: report it, appending whatever of the batch is missing. */
  private async continueRetry(
    stream: string,
    events: readonly NewEvent[],
    seq: number,
  ): Promise<AppendResult> {
    return this.publishRest(stream, events, 1, await this.storedAt(stream, events[0]!, seq));
  }

  /**
   * Publishes events[from..] one by one after `head` (no atomic batches in
   * JetStream 2.9). Events already stored (a retried batch) are skipped. If
   * another writer got in mid-batch, the rest of the batch goes after it:
   * a batch is all appended, in order, but not necessarily contiguous.
   */
  private async publishRest(
    stream: string,
    events: readonly NewEvent[],
    from: number,
    start: Head,
  ): Promise<AppendResult> {
    let head = start;
    let attempts = 0;
    for (let i = from; i < events.length;) {
      const published = await this.publishAfter(stream, events[i]!, head);
      if ('wrongLastSeq' in published) {
        if (++attempts > MAX_ATTEMPTS)
          throw new EventStoreUnavailableError(`append to ${stream}: too contended`);
        head = await this.loadHead(stream);
        continue;
      }
      if (published.ack.duplicate) {
        head = await this.storedAt(stream, events[i]!, published.ack.seq);
      } else {
        head = advance(head, published.ack.seq);
        this.heads.remember(stream, head);
      }
      i++;
    }
    return { nextExpectedRevision: head.revision!, position: BigInt(head.seq) };
  }

  /** Publishes `event` as the next after `head`, pointing back at the events before it. */
  private publishAfter(stream: string, event: NewEvent, head: Head): Promise<Published> {
    return this.publish(stream, event, (head.revision ?? -1) + 1, expectedLastSeq(head), priorOfNext(head));
  }

  private async publish(
    stream: string,
    event: NewEvent,
    revision: number,
    lastSeq: number,
    prior: readonly number[],
  ): Promise<Published> {
    const { hdrs, body } = encodeEvent(stream, revision, event, prior);
    // The headers the client library's publish options would set: de-duplication and the concurrency check.
    hdrs.set('Nats-Msg-Id', messageId(stream, event.id));
    hdrs.set('Nats-Expected-Last-Subject-Sequence', String(lastSeq));
    try {
      return { ack: await publishToStream(this.requests, subjectOf(this.config, stream), body, hdrs) };
    } catch (error) {
      const wrong = wrongLastSequence(error);
      if (wrong === undefined) throw error;
      return { wrongLastSeq: wrong };
    }
  }

  /** The head of `stream` as of an already stored event (found by its de-duplication ack). */
  private async storedAt(stream: string, event: NewEvent, seq: number): Promise<Head> {
    const stored = await this.direct.bySeq(seq);
    if (!stored || streamOf(stored) !== stream || stored.headers?.get(H.id) !== event.id) {
      throw new EventStoreUnavailableError(
        `append to ${stream}: duplicate ack for ${event.id} points elsewhere`,
      );
    }
    return headAt(stored);
  }
}

/** The head of a stream whose last event is `last`. */
function headAt(last: StoredMessage): Head {
  return {
    revision: revisionOf(last),
    seq: last.seq,
    prior: priorSeqsOf(last).slice(0, PRIOR_SEQS - 1),
  };
}

function satisfies(expected: ExpectedRevision, revision: number | undefined): boolean {
  if (expected === 'any') return true;
  if (expected === 'no_stream') return revision === undefined;
  if (expected === 'stream_exists') return revision !== undefined;
  return revision === expected;
}
