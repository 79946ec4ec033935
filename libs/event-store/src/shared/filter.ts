import type { RecordedEvent, SubscriptionFilter } from '../event-store.port.js';
import { categoryOf } from './validation.js';

/**
 * A subscription filter over what decides it, an event's stream and type: a feed that has these
 * before the event's body (JetStream: the subject and a header) can drop what the filter would
 * drop without parsing it. No filter (or empty lists) lets everything through.
 */
export function streamTypeFilter(
  filter: SubscriptionFilter | undefined,
): (streamName: string, type: string | undefined) => boolean {
  const categories = filter?.categories?.length ? new Set(filter.categories) : undefined;
  const types = filter?.eventTypes?.length ? new Set(filter.eventTypes) : undefined;
  return (streamName, type) =>
    (!categories || categories.has(categoryOf(streamName))) &&
    (!types || (type !== undefined && types.has(type)));
}

/** A predicate for a subscription filter; no filter (or empty lists) lets everything through. */
export function eventFilter(filter: SubscriptionFilter | undefined): (e: RecordedEvent) => boolean {
  const passes = streamTypeFilter(filter);
  return (e) => passes(e.streamName, e.type);
}
