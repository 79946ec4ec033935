import { describe } from '@jest/globals';
import { appendContract } from './contract-append.js';
import { readContract } from './contract-read.js';
import { subscribeContract } from './contract-subscribe.js';
import type { EventStoreContractFactory, EventStoreContractSubject } from './harness.js';

/**
 * The behaviour every EventStore adapter must show. Each test gets its own
 * backend from `factory` (fresh, isolated) and disposes of it afterwards.
 */
export function eventStoreContract(name: string, factory: EventStoreContractFactory): void {
  const use = (test: (subject: EventStoreContractSubject) => Promise<void>) => async (): Promise<void> => {
    const subject = await factory();
    try {
      await test(subject);
    } finally {
      await subject.dispose();
    }
  };
  describe(`EventStore contract: ${name}`, () => {
    appendContract(use);
    readContract(use);
    subscribeContract(use);
  });
}
