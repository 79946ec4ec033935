import { randomUUID } from 'node:crypto';
import { eventStoreContract } from '#event-store/testing';
import { JetStreamEventStore } from './jetstream-event-store.js';

const servers = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

/** Each test gets a JetStream stream of its own, deleted afterwards. */
eventStoreContract('NATS JetStream', async () => {
  const unique = randomUUID().replaceAll('-', '').slice(0, 12);
  const config = { servers, streamName: `TEST_EVENTS_${unique}`, subjectPrefix: `test.${unique}.events` };
  const store = await JetStreamEventStore.connect(config);
  const instances = [store];
  return {
    store,
    restart: async () => {
      const next = await JetStreamEventStore.connect(config);
      instances.push(next);
      return next;
    },
    dispose: async () => {
      await store.deleteStreams().catch(() => undefined);
      await Promise.all(instances.map((s) => s.close()));
    },
  };
});
