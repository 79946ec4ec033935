import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { fuzzPaidHeaders } from '../../../libs/platform/src/http/testing/fuzz-paid-headers.js';
import { ARTICLES, CARDS, CLIPS } from './catalog/catalog.data.js';
import { type RunningVendor, VendorStack } from '../test/vendor-stack.js';

const ON_SALE: Record<string, string> = {
  '/articles/{id}': ARTICLES[0]!.id,
  '/cards/{id}': CARDS[0]!.id,
  '/clips/{id}': CLIPS[0]!.id,
};

// Arbitrary payment headers (size, encoding, unicode, structure) at every paid route of a vendor
// (real NATS, JetStream and Redis): a 4xx problem+json with a stable code, never a 5xx, and no
// event appended.
describe('vendor under hostile payment headers', () => {
  let stack: VendorStack;
  let vendor: RunningVendor;

  beforeAll(async () => {
    stack = await VendorStack.start();
    vendor = await stack.vendor('va');
  });
  afterAll(async () => {
    await stack?.dispose();
  });

  it('refuses every hostile X-NetPay-* header cleanly on every paid route, and spends nothing', async () => {
    const issued = await stack.broker.issue();
    const { routes, codes } = await fuzzPaidHeaders(
      {
        baseUrl: vendor.url,
        pathValue: (path) => ON_SALE[path] ?? 'x',
        chain: {
          chainId: issued.chain.chainId,
          touchstone: issued.touchstone as unknown as Record<string, unknown>,
        },
        eventCount: async () => (await stack.store.readAll()).length,
      },
      Number(process.env.FUZZ_RUNS ?? 120),
    );
    expect(routes.sort()).toEqual(Object.keys(ON_SALE).sort());
    // The fuzz reached past parsing: malformed payments, bad touchstones and forged paywords.
    expect([...codes.keys()]).toEqual(
      expect.arrayContaining([
        'PAYMENT.MALFORMED',
        'REQUEST.HEADERS_TOO_LARGE',
        'TOUCHSTONE.SIGNATURE_INVALID',
      ]),
    );
    expect(codes.size).toBeGreaterThan(5);
  });
});
