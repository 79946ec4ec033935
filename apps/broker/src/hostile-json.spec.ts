import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { InMemoryEventStore } from '#event-store';
import { FUZZ_TIMEOUT_MS, fuzzRoutes } from '../../../libs/platform/src/http/testing/fuzz-routes.js';
import { ADMIN_TOKEN, startBroker, type TestBroker } from './test/broker-harness.js';
import { registerCustomer } from './test/scenario.js';

const ADMIN_ROUTES = /^\/(vendors|bank|chains\/\{chainId\}\/revoke)/;

// Arbitrary JSON at every documented route of the broker: never a 5xx, always problem+json with
// a stable code, and a refused request changes nothing.
describe('broker under hostile JSON (in-memory)', () => {
  const store = new InMemoryEventStore();
  let broker: TestBroker;
  let customerToken: string;

  beforeAll(async () => {
    broker = await startBroker({ store });
    customerToken = (await registerCustomer(broker.http, 1_000)).token;
  });
  afterAll(() => broker.close());

  it(
    'answers every request with < 500, problem+json refusals and no event appended by a refusal',
    async () => {
      const sent = await fuzzRoutes(
        {
          baseUrl: await broker.app.getUrl(),
          headers: (_method, path) => ({
            authorization: `Bearer ${ADMIN_ROUTES.test(path) ? ADMIN_TOKEN : customerToken}`,
            'idempotency-key': randomUUID(),
          }),
          eventCount: async () => (await store.readAll()).length,
        },
        25,
      );
      expect(sent).toBeGreaterThan(200);
    },
    FUZZ_TIMEOUT_MS,
  );
});
