export { JetStreamEventStore } from './jetstream-event-store.js';
export type { JetStreamEventStoreConfig } from './jetstream-config.js';
export { type NatsIdentity, stackAuthFile, stackNats, stackNatsEnv } from './stack-identities.js';
