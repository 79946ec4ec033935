import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { InMemoryEventStore } from '#event-store';
import { FUZZ_TIMEOUT_MS, fuzzRoutes } from '../../../../libs/platform/src/http/testing/fuzz-routes.js';
import { ADMIN_TOKEN, startBroker, testBrokerConfig, type TestBroker } from '../test/broker-harness.js';

const GATEWAY = 'gateway-token-for-fuzz-0001';
const ADMIN_ROUTES = /^\/(vendors|bank|operator|chains\/\{chainId\}\/revoke)/;

// Arbitrary JSON at every documented route of a Mobile-NetPay SP (the subscriber routes through
// the gateway, the operator's routes with the admin token): never a 5xx, always problem+json
// with a stable code, and a refused request changes nothing.
describe('Mobile-NetPay SP under hostile JSON (in-memory)', () => {
  const store = new InMemoryEventStore();
  let sp: TestBroker;

  beforeAll(async () => {
    sp = await startBroker({
      store,
      config: testBrokerConfig({
        BROKER_NETWORKS: 'mobile',
        OPERATOR_GATEWAY_TOKEN: GATEWAY,
        OPERATOR_SUBSCRIBERS: '+64217000001:prepaid:NZD:1000',
      }),
    });
  });
  afterAll(() => sp.close());

  it(
    'answers every request with < 500, problem+json refusals and no event appended by a refusal',
    async () => {
      const sent = await fuzzRoutes(
        {
          baseUrl: await sp.app.getUrl(),
          headers: (_method, path) => ({
            authorization: `Bearer ${ADMIN_ROUTES.test(path) ? ADMIN_TOKEN : GATEWAY}`,
            'x-msisdn': '+64217000001',
            'idempotency-key': randomUUID(),
          }),
          eventCount: async () => (await store.readAll()).length,
        },
        10,
      );
      expect(sent).toBeGreaterThan(100);
    },
    FUZZ_TIMEOUT_MS,
  );
});
