import type { StoredMsg } from '@nats-io/jetstream';
import { headers, type MsgHdrs } from '@nats-io/nats-core';
import { EventStoreUnavailableError } from '../errors.js';
import type { EventMetadata, NewEvent, RecordedEvent } from '../event-store.port.js';
import { activeTraceparent, withTraceparent } from '../shared/trace-context.js';
import { categoryOf } from '../shared/validation.js';

/**
 * One event per message: what readers filter on travels in headers (type,
 * stream, revision) so a reader can skip a message without parsing its body;
 * the body is JSON `{ data, metadata }`.
 */
export const H = {
  id: 'NetPay-Event-Id',
  type: 'NetPay-Event-Type',
  version: 'NetPay-Event-Version',
  stream: 'NetPay-Stream',
  revision: 'NetPay-Revision',
  prior: 'NetPay-Prior-Seqs',
  traceparent: 'traceparent',
} as const;

/** Set by the server from our publish option: the sequence of the subject's previous message (0: none). */
const EXPECTED_LAST_SUBJECT_SEQ = 'Nats-Expected-Last-Subject-Sequence';

/**
 * How many earlier events of its stream a message points to. With them a read
 * walks back from the stream's last event, fetching up to this many messages at
 * once by sequence, instead of asking the server to search the subject (which
 * scans every message in between: the cost grows with the traffic of all the
 * other streams, not with the stream read).
 */
export const PRIOR_SEQS = 16;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Server de-duplication key: scoped to the stream, like idempotency in EventStoreDB. */
export function messageId(stream: string, eventId: string): string {
  return `${stream}/${eventId}`;
}

/**
 * `prior`: the sequences of the stream's events before this one, latest first
 * (revision - 1, revision - 2, …), as many as the writer knows, at most PRIOR_SEQS.
 */
export function encodeEvent(
  stream: string,
  revision: number,
  event: NewEvent,
  prior: readonly number[],
): { hdrs: MsgHdrs; body: Uint8Array } {
  const hdrs = headers();
  hdrs.set(H.id, event.id);
  hdrs.set(H.type, event.type);
  hdrs.set(H.version, String(event.version));
  hdrs.set(H.stream, stream);
  hdrs.set(H.revision, String(revision));
  if (prior.length > 0) hdrs.set(H.prior, encodePriorSeqs(prior));
  const traceparent = activeTraceparent();
  if (traceparent) hdrs.set(H.traceparent, traceparent);
  return { hdrs, body: encoder.encode(JSON.stringify({ data: event.data, metadata: event.metadata })) };
}

/** A message's headers, name → (first) value. */
export type HeaderMap = ReadonlyMap<string, string>;

/**
 * The client's headers as a map, in one pass: its own `get` lists and filters
 * every key on each call, and decoding an event makes a dozen of them.
 */
export function headerMap(h: MsgHdrs | undefined): HeaderMap | undefined {
  if (!h) return undefined;
  const map = new Map<string, string>();
  for (const [key, values] of h) if (values[0] !== undefined) map.set(key, values[0]);
  return map;
}

/** The parts of a JetStream message (consumed or fetched directly) that make an event. */
export interface StoredMessage {
  readonly seq: number;
  /** The subject it was published on, when the read tells it (it names the stream, see `streamOf`). */
  readonly subject?: string | undefined;
  readonly headers?: HeaderMap | undefined;
  readonly data: Uint8Array;
  readonly time: Date;
}

export function fromStored(m: StoredMsg): StoredMessage {
  return { seq: m.seq, subject: m.subject, headers: headerMap(m.header), data: m.data, time: m.time };
}

export function revisionOf(msg: Pick<StoredMessage, 'headers' | 'seq'>): number {
  const value = msg.headers?.get(H.revision);
  if (!value) throw notAnEvent(msg.seq);
  return Number(value);
}

/**
 * The event-store stream of a message: the last token of its subject, which the NATS
 * authorization controls (a vendor may publish to `<prefix>.chain.*` only), so a header
 * claiming another stream changes nothing. The header where the read does not give the subject.
 */
export function streamOf(msg: Pick<StoredMessage, 'headers' | 'seq' | 'subject'>): string {
  if (msg.subject) return streamOfSubject(msg.subject);
  const value = msg.headers?.get(H.stream);
  if (!value) throw notAnEvent(msg.seq);
  return value;
}

/**
 * The event-store stream a subject names: its last token, when the token before it is that
 * stream's category (as the appender writes it, `subjectOf`); else '' (no stream). NATS rights
 * are per category (a peer may publish `<prefix>.p2pchain.*`), so a message on
 * `<prefix>.p2pchain.p2pcontent-x` was written by a party that may not write `p2pcontent-x`:
 * reads across categories (`readAll`, multi-category feeds) must not take it for that stream.
 */
export function streamOfSubject(subject: string): string {
  const last = subject.lastIndexOf('.');
  const stream = subject.slice(last + 1);
  const category = subject.slice(subject.lastIndexOf('.', last - 1) + 1, last);
  return last > 0 && category === categoryOf(stream) ? stream : '';
}

/** `s1,d2,d3,…`: the latest sequence, then each next one as its distance below the one before (short). */
export function encodePriorSeqs(prior: readonly number[]): string {
  return prior.map((seq, i) => (i === 0 ? seq : prior[i - 1]! - seq)).join(',');
}

/**
 * The sequences of the events before `msg` in its stream, latest first: from
 * our header, else (messages written before it existed) the one the server
 * checked at publish, the previous event's. Empty for a stream's first event.
 */
export function priorSeqsOf(msg: Pick<StoredMessage, 'headers'>): number[] {
  const decoded = decodePriorSeqs(msg.headers?.get(H.prior) ?? '');
  if (decoded) return decoded;
  const previous = Number(msg.headers?.get(EXPECTED_LAST_SUBJECT_SEQ) || 0);
  return Number.isSafeInteger(previous) && previous > 0 ? [previous] : [];
}

function decodePriorSeqs(encoded: string): number[] | undefined {
  if (!encoded) return undefined;
  const prior: number[] = [];
  for (const part of encoded.split(',')) {
    const n = Number(part);
    const seq = prior.length === 0 ? n : prior[prior.length - 1]! - n;
    if (!Number.isSafeInteger(n) || n <= 0 || seq <= 0) return undefined;
    prior.push(seq);
  }
  return prior;
}

export function typeOf(msg: Pick<StoredMessage, 'headers'>): string | undefined {
  return msg.headers?.get(H.type) || undefined;
}

export function decodeEvent(msg: StoredMessage): RecordedEvent {
  const h = msg.headers;
  const id = h?.get(H.id);
  const type = h?.get(H.type);
  if (!h || !id || !type) throw notAnEvent(msg.seq);
  const body = JSON.parse(decoder.decode(msg.data)) as { data: unknown; metadata: EventMetadata };
  return {
    id,
    type,
    version: Number(h.get(H.version) || '1'),
    data: body.data,
    metadata: withTraceparent(body.metadata, h.get(H.traceparent) || undefined),
    streamName: streamOf(msg),
    revision: revisionOf(msg),
    position: BigInt(msg.seq),
    recordedAt: msg.time,
  };
}

/** The revision header of `msg` when it is one (no body parsed), else undefined. */
export function revisionOrSkip(msg: Pick<StoredMessage, 'headers'>): number | undefined {
  const revision = Number(msg.headers?.get(H.revision) || Number.NaN);
  return Number.isSafeInteger(revision) && revision >= 0 ? revision : undefined;
}

/**
 * The event in `msg`, or undefined when it is not a NetPay event: missing or malformed headers,
 * no server-checked predecessor, a body that is not our JSON. Anyone who may append to a category (every vendor may write
 * `chain-*` subjects) can publish such a message straight to NATS; readers skip it rather than
 * stop on it, or one raw publish would halt every projection and make the stream unreadable.
 */
export function eventOrSkip(msg: StoredMessage): RecordedEvent | undefined {
  if (revisionOrSkip(msg) === undefined) return undefined;
  // Not appended through the store (it always asks the server to check the predecessor): every
  // read skips it alike, so projections see what `readStream` shows.
  if (checkedPredecessorOf(msg) === undefined) return undefined;
  try {
    const event = decodeEvent(msg);
    // Published on another category's subject (`streamOfSubject`): not an event of any stream.
    if (event.streamName === '') return undefined;
    const body = event as { data: unknown; metadata: unknown };
    if (typeof body.metadata !== 'object' || body.metadata === null) return undefined;
    return event;
  } catch {
    return undefined;
  }
}

/**
 * The sequence the server checked before storing `msg` (the subject's last message then; 0: it
 * had none), or undefined when the publisher did not ask for the check: our appender always does,
 * so a message without it was published around the store, straight to NATS.
 */
export function checkedPredecessorOf(msg: Pick<StoredMessage, 'headers'>): number | undefined {
  const value = msg.headers?.get(EXPECTED_LAST_SUBJECT_SEQ);
  if (value === undefined || value === '') return undefined;
  const seq = Number(value);
  return Number.isSafeInteger(seq) && seq >= 0 ? seq : undefined;
}

/**
 * Whether `msg`, stored as revision `revision` of its stream, sits right after the stream's
 * previous event with nothing in between: the sequence the server checked at publish is the one
 * the writer names as the previous event's (none for revision 0). Our appender's messages always
 * are; a message slipped onto the subject breaks it for itself or for the event after it.
 */
export function isLinked(msg: Pick<StoredMessage, 'headers'>, revision: number): boolean {
  const checked = checkedPredecessorOf(msg);
  if (checked === undefined) return false;
  if (revision === 0) return checked === 0;
  return checked > 0 && priorSeqsOf(msg)[0] === checked;
}

function notAnEvent(seq: number): EventStoreUnavailableError {
  return new EventStoreUnavailableError(`JetStream message ${seq} is not a NetPay event (missing headers)`);
}
