import type { RecordedEvent, SubscriptionFilter } from '../event-store.port.js';
import { categoryOf } from './validation.js';

/** A predicate for a subscription filter; no filter (or empty lists) lets everything through. */
export function eventFilter(filter: SubscriptionFilter | undefined): (e: RecordedEvent) => boolean {
  const categories = filter?.categories?.length ? new Set(filter.categories) : undefined;
  const types = filter?.eventTypes?.length ? new Set(filter.eventTypes) : undefined;
  return (e) => (!categories || categories.has(categoryOf(e.streamName))) && (!types || types.has(e.type));
}
