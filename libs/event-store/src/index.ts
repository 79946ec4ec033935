export * from './event-store.port.js';
export * from './errors.js';
export * from './in-memory/index.js';
export * from './jetstream/index.js';
export type { EventStoreDbConfig } from './eventstoredb/index.js';
export {
  createEventStore,
  eventStoreSettingsFromEnv,
  eventStoreSettings,
  type EventStoreKind,
  type EventStoreSettings,
} from './create-event-store.js';
export { categoryOf } from './shared/validation.js';
export { DelegatingEventStore } from './shared/delegating-event-store.js';
export { TracedEventStore } from './shared/traced-event-store.js';
export { WriteBehindCheckpoints } from './shared/write-behind-checkpoints.js';
export { resubscribing, type ResubscribingOptions } from './shared/resubscribing.js';
export * from './lease/leader-lease.js';
export { readAllPages, type PagedReadOptions } from './shared/paged-read.js';
