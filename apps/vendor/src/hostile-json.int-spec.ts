import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { FUZZ_TIMEOUT_MS, fuzzRoutes } from '../../../libs/platform/src/http/testing/fuzz-routes.js';
import { type RunningVendor, VendorStack } from '../test/vendor-stack.js';

// Arbitrary JSON at every documented route of a vendor (real NATS, JetStream and Redis): never a
// 5xx, always problem+json with a stable code, and a refused request changes nothing.
describe('vendor under hostile JSON', () => {
  let stack: VendorStack;
  let vendor: RunningVendor;

  beforeAll(async () => {
    stack = await VendorStack.start();
    vendor = await stack.vendor('va');
  });
  afterAll(async () => {
    await stack?.dispose();
  });

  it(
    'answers every request with < 500, problem+json refusals and no event appended by a refusal',
    async () => {
      const sent = await fuzzRoutes(
        {
          baseUrl: vendor.url,
          headers: () => ({ 'idempotency-key': randomUUID(), 'x-netpay-checkout': `nct.${randomUUID()}` }),
          eventCount: async () => (await stack.store.readAll()).length,
        },
        25,
      );
      expect(sent).toBeGreaterThan(25);
    },
    FUZZ_TIMEOUT_MS,
  );
});
