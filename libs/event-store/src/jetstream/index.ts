export { JetStreamEventStore } from './jetstream-event-store.js';
export type { JetStreamEventStoreConfig } from './jetstream-config.js';
