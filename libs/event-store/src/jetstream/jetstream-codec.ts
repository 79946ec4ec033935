import type { StoredMsg } from '@nats-io/jetstream';
import { headers, type MsgHdrs } from '@nats-io/nats-core';
import { EventStoreUnavailableError } from '../errors.js';
import type { EventMetadata, NewEvent, RecordedEvent } from '../event-store.port.js';

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
} as const;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Server de-duplication key: scoped to the stream, like idempotency in EventStoreDB. */
export function messageId(stream: string, eventId: string): string {
  return `${stream}/${eventId}`;
}

export function encodeEvent(
  stream: string,
  revision: number,
  event: NewEvent,
): { hdrs: MsgHdrs; body: Uint8Array } {
  const hdrs = headers();
  hdrs.set(H.id, event.id);
  hdrs.set(H.type, event.type);
  hdrs.set(H.version, String(event.version));
  hdrs.set(H.stream, stream);
  hdrs.set(H.revision, String(revision));
  return { hdrs, body: encoder.encode(JSON.stringify({ data: event.data, metadata: event.metadata })) };
}

/** The parts of a JetStream message (consumed or fetched directly) that make an event. */
export interface StoredMessage {
  readonly seq: number;
  readonly headers?: MsgHdrs | undefined;
  readonly data: Uint8Array;
  readonly time: Date;
}

export function fromStored(m: StoredMsg): StoredMessage {
  return { seq: m.seq, headers: m.header, data: m.data, time: m.time };
}

export function revisionOf(msg: Pick<StoredMessage, 'headers' | 'seq'>): number {
  const value = msg.headers?.get(H.revision);
  if (!value) throw notAnEvent(msg.seq);
  return Number(value);
}

export function streamOf(msg: Pick<StoredMessage, 'headers' | 'seq'>): string {
  const value = msg.headers?.get(H.stream);
  if (!value) throw notAnEvent(msg.seq);
  return value;
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
    metadata: body.metadata,
    streamName: streamOf(msg),
    revision: revisionOf(msg),
    position: BigInt(msg.seq),
    recordedAt: msg.time,
  };
}

function notAnEvent(seq: number): EventStoreUnavailableError {
  return new EventStoreUnavailableError(`JetStream message ${seq} is not a NetPay event (missing headers)`);
}
