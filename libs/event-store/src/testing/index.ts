export { eventStoreContract } from './contract.js';
export {
  anEvent,
  eventually,
  uniqueName,
  uniqueStream,
  type EventStoreContractFactory,
  type EventStoreContractSubject,
} from './harness.js';
export { connectTestStore, TEST_NATS_URL, testNatsEnv, testNatsIdentity, testNatsOptions } from './nats.js';
