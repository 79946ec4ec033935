import { randomUUID } from 'node:crypto';
import { describe, it } from '@jest/globals';
import { eventStoreContract } from '#event-store/testing';
import { EventStoreDbEventStore } from './eventstoredb-event-store.js';

const connectionString = process.env.EVENTSTORE_CONNECTION_STRING;

if (connectionString) {
  /**
   * ESDB streams cannot be dropped cheaply, so tests isolate by unique stream
   * names. $all is shared, so each test starts its reads after the head.
   */
  eventStoreContract('EventStoreDB', async () => {
    const checkpointCategory = `test_checkpoint_${randomUUID().replaceAll('-', '').slice(0, 8)}`;
    const open = (): Promise<EventStoreDbEventStore> =>
      EventStoreDbEventStore.connect({ connectionString, checkpointCategory });
    const store = await open();
    const instances = [store];
    return {
      store,
      restart: async () => {
        const next = await open();
        instances.push(next);
        return next;
      },
      dispose: async () => {
        await Promise.all(instances.map((s) => s.close()));
      },
    };
  });
} else {
  console.log('SKIPPED: EventStoreDB contract suite — EVENTSTORE_CONNECTION_STRING is not set');
  describe.skip('EventStore contract: EventStoreDB (set EVENTSTORE_CONNECTION_STRING to run)', () => {
    it('runs the shared contract against EventStoreDB', () => undefined);
  });
}
