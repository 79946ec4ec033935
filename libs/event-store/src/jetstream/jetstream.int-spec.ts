import { randomUUID } from 'node:crypto';
import { eventStoreContract, connectTestStore, TEST_NATS_URL } from '#event-store/testing';

const servers = TEST_NATS_URL;

/** Each test gets a JetStream stream of its own, deleted afterwards. */
eventStoreContract('NATS JetStream', async () => {
  const unique = randomUUID().replaceAll('-', '').slice(0, 12);
  const config = { servers, streamName: `TEST_EVENTS_${unique}`, subjectPrefix: `test.${unique}.events` };
  const store = await connectTestStore(config);
  const instances = [store];
  return {
    store,
    restart: async () => {
      const next = await connectTestStore(config);
      instances.push(next);
      return next;
    },
    dispose: async () => {
      await store.deleteStreams().catch(() => undefined);
      await Promise.all(instances.map((s) => s.close()));
    },
  };
});
