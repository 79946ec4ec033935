export { InMemoryEventStore, type InMemoryEventStoreOptions } from './in-memory-event-store.js';
export { InMemoryCheckpointStore } from './in-memory-checkpoint-store.js';
