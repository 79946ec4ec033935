export { eventStoreContract } from './contract.js';
export {
  anEvent,
  eventually,
  uniqueName,
  uniqueStream,
  type EventStoreContractFactory,
  type EventStoreContractSubject,
} from './harness.js';
