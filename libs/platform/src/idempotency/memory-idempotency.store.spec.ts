import { ManualClock } from '../clock/clock.js';
import { idempotencyStoreContract } from './idempotency-store.contract.js';
import { InMemoryIdempotencyStore } from './memory-idempotency.store.js';

let n = 0;
idempotencyStoreContract(
  'in-memory',
  () => {
    const clock = new ManualClock();
    return { store: new InMemoryIdempotencyStore(clock), elapse: async (ms) => void clock.advance(ms) };
  },
  () => `key-${++n}`,
);
