export { EventStoreDbEventStore } from './eventstoredb-event-store.js';
export type { EventStoreDbConfig } from './esdb-config.js';
