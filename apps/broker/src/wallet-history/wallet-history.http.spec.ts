import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { InMemoryEventStore } from '#event-store';
import { ADMIN_TOKEN, startBroker, type TestBroker } from '../test/broker-harness.js';
import {
  authoriseVendor,
  buy,
  registerCustomer,
  registerVendor,
  type TestCustomer,
} from '../test/scenario.js';

interface History {
  customerId: string;
  entries: { kind: string; [k: string]: unknown }[];
  total: number;
  authorisedVendors: string[];
}

describe('GET /wallet/history (in-memory)', () => {
  let broker: TestBroker;
  let ada: TestCustomer;
  let bob: TestCustomer;

  beforeAll(async () => {
    broker = await startBroker({ store: new InMemoryEventStore() });
    ada = await registerCustomer(broker.http, 10_000);
    bob = await registerCustomer(broker.http, 10_000);
    await registerVendor(broker.http, 'news');
  });
  afterAll(() => broker.close());

  it('refuses a request without the customer token (401 problem+json), changing nothing', async () => {
    const res = await broker.http('GET', '/wallet/history');
    expect(res.status).toBe(401);
    expect(res.json()).toMatchObject({ code: 'CUSTOMER.UNAUTHORISED' });
  });

  it.each(['0', '1001', 'ten', '2.5'])('refuses limit=%s with 400 REQUEST.INVALID', async (limit) => {
    const res = await broker.http('GET', `/wallet/history?limit=${limit}`, { token: ada.token });
    expect(res.status).toBe(400);
    expect(res.json()).toMatchObject({ code: 'REQUEST.INVALID' });
  });

  it("shows the customer's purchases, revocation, re-issue and vendor authorisations, and nobody else's", async () => {
    const bought = await buy(broker.http, ada, { coins: 10, coinValue: 5, wallet: 'server' });
    expect(bought.status).toBe(201);
    const chainId = bought.json<{ chains: { chainId: string }[] }>().chains[0]!.chainId;
    await authoriseVendor(broker.http, ada, 'news');
    const withdrawn = await broker.http('DELETE', '/wallet/vendors/news', { token: ada.token });
    expect(withdrawn.status).toBeLessThan(300);
    await authoriseVendor(broker.http, ada, 'news');
    const revoked = await broker.http('POST', `/chains/${chainId}/revoke`, {
      token: ADMIN_TOKEN,
      body: { reason: 'lost-wallet' },
    });
    expect(revoked.status).toBeLessThan(300);
    await buy(broker.http, bob, { coins: 3, coinValue: 5 });

    const res = await broker.http('GET', '/wallet/history', { token: ada.token });
    expect(res.status).toBe(200);
    const history = res.json<History>();
    expect(history.customerId).toBe(ada.customerId);
    expect(history.entries.map((e) => e.kind)).toEqual([
      'purchase',
      'vendor-authorised',
      'vendor-withdrawn',
      'vendor-authorised',
      'revoked',
    ]);
    expect(history.entries[0]).toMatchObject({ wallet: 'server', coins: 10, amount: 50, currency: 'NZD' });
    expect(history.entries[4]).toMatchObject({ chainId, reason: 'lost-wallet' });
    expect(history.authorisedVendors).toEqual(['news']);

    const last = await broker.http('GET', '/wallet/history?limit=2', { token: ada.token });
    expect(last.json<History>().entries.map((e) => e.kind)).toEqual(['vendor-authorised', 'revoked']);
    expect(last.json<History>().total).toBe(5);

    const other = (await broker.http('GET', '/wallet/history', { token: bob.token })).json<History>();
    expect(other.entries.map((e) => e.kind)).toEqual(['purchase']);
  });
});
