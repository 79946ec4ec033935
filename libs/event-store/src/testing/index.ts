export { eventStoreContract } from './contract.js';
export {
  anEvent,
  eventually,
  uniqueStream,
  type EventStoreContractFactory,
  type EventStoreContractSubject,
} from './harness.js';
