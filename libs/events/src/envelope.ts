import { createHash } from 'node:crypto';
import type { EventMetadata, NewEvent, RecordedEvent } from '#event-store';
import type { CustomerEvent, PurchaseEvent, VendorEvent, WalletSeedEvent } from './broker.events.js';
import type { ChainEvent } from './chain.events.js';
import type { RedemptionEvent } from './redemption.events.js';
import { upcast } from './upcasting.js';

export type NetPayEvent =
  ChainEvent | CustomerEvent | PurchaseEvent | VendorEvent | WalletSeedEvent | RedemptionEvent;
export type NetPayEventType = NetPayEvent['type'];

/** A decoded event together with where and when the store recorded it. */
export type StoredEvent<E extends NetPayEvent = NetPayEvent> = E & {
  readonly id: string;
  readonly streamName: string;
  readonly revision: number;
  readonly position: bigint;
  readonly metadata: EventMetadata;
};

/**
 * A UUID-shaped id derived from its parts, so that a retried command appends
 * the same event id and the store de-duplicates it.
 */
export function deterministicEventId(...parts: readonly (string | number)[]): string {
  const h = createHash('sha256').update(parts.map(String).join('\u001f')).digest('hex');
  // RFC 4122 layout, version 5-style nibble, variant 10xx.
  const variant = ((parseInt(h.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function toNewEvent(event: NetPayEvent, metadata: EventMetadata, id: string): NewEvent {
  return { id, type: event.type, version: event.version, data: event.data, metadata };
}

/**
 * Turn a recorded event into the current version of its typed form, or
 * `undefined` for a type this code does not know (readers ignore those).
 */
export function decode(recorded: RecordedEvent): StoredEvent | undefined {
  const current = upcast(recorded.type, recorded.version, recorded.data);
  if (!current) return undefined;
  return {
    type: recorded.type,
    version: current.version,
    data: current.data,
    id: recorded.id,
    streamName: recorded.streamName,
    revision: recorded.revision,
    position: recorded.position,
    metadata: recorded.metadata,
  } as StoredEvent;
}
