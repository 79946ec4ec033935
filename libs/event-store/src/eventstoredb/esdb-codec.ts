import { createHash } from 'node:crypto';
import type { AllStreamResolvedEvent, EventData, Position, ResolvedEvent } from '@eventstore/db-client';
import { jsonEvent } from '@eventstore/db-client';
import type { EventMetadata, GlobalPosition, NewEvent, RecordedEvent } from '../event-store.port.js';

const TWO_64 = 1n << 64n;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * EventStoreDB positions are (commit, prepare) pairs of 64-bit log offsets,
 * ordered by commit then prepare; `commit * 2^64 + prepare` keeps that order
 * in one bigint and converts back exactly.
 */
export function toGlobalPosition(p: Position): GlobalPosition {
  return p.commit * TWO_64 + p.prepare;
}

export function toEsdbPosition(position: GlobalPosition): Position {
  return { commit: position / TWO_64, prepare: position % TWO_64 };
}

/** What the adapter writes as ESDB event metadata; `$correlationId`/`$causationId` feed ESDB's own projections. */
interface StoredMetadata {
  readonly correlationId: string;
  readonly causationId: string;
  readonly actor: string;
  readonly $correlationId: string;
  readonly $causationId: string;
  readonly schemaVersion: number;
  readonly eventId: string;
  /** W3C trace context of the append (absent when nothing was traced). */
  readonly traceparent?: string;
}

/**
 * ESDB event ids must be UUIDs: a UUID id is used as is, any other id is
 * hashed into one (deterministically, so retries still de-duplicate) and
 * kept in the metadata.
 */
export function esdbEventId(id: string): string {
  if (UUID.test(id)) return id.toLowerCase();
  const h = createHash('sha256').update(`netpay-event:${id}`).digest('hex');
  const variant = ((parseInt(h.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function encodeEvent(event: NewEvent, traceparent?: string): EventData {
  const metadata: StoredMetadata = {
    correlationId: event.metadata.correlationId,
    causationId: event.metadata.causationId,
    actor: event.metadata.actor,
    $correlationId: event.metadata.correlationId,
    $causationId: event.metadata.causationId,
    schemaVersion: event.version,
    eventId: event.id,
    ...(traceparent ? { traceparent } : {}),
  };
  // ESDB's JSON events take objects, arrays or strings; the JSON text of other values round-trips the same.
  return jsonEvent({ id: esdbEventId(event.id), type: event.type, data: event.data as never, metadata });
}

type AnyResolved = ResolvedEvent | AllStreamResolvedEvent;

/** System events (`$…` streams or types) and the adapter's checkpoint streams are not NetPay events. */
export function isNetPayEvent(resolved: AnyResolved, checkpointCategory: string): boolean {
  const e = resolved.event;
  if (!e) return false;
  return (
    !e.streamId.startsWith('$') && !e.type.startsWith('$') && !e.streamId.startsWith(`${checkpointCategory}-`)
  );
}

export function decodeEvent(resolved: AnyResolved): RecordedEvent {
  const e = resolved.event!;
  const stored = (e.metadata ?? {}) as Partial<StoredMetadata>;
  const metadata: EventMetadata = {
    correlationId: stored.correlationId ?? '',
    causationId: stored.causationId ?? '',
    actor: stored.actor ?? '',
    ...(typeof stored.traceparent === 'string' ? { traceparent: stored.traceparent } : {}),
  };
  const data: unknown = e.isJson ? e.data : JSON.parse(new TextDecoder().decode(e.data));
  if (!e.position) throw new Error(`event ${e.id} in ${e.streamId} came without a position`);
  return {
    id: stored.eventId ?? e.id,
    type: e.type,
    version: stored.schemaVersion ?? 1,
    data,
    metadata,
    streamName: e.streamId,
    revision: Number(e.revision),
    position: toGlobalPosition(e.position),
    recordedAt: e.created,
  };
}
