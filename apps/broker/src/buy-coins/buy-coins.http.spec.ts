import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { InMemoryEventStore } from '#event-store';
import { ManualClock } from '#platform';
import { paywordAt, verifyTouchstone, type Touchstone } from '#protocol';
import { replayOf } from '../test/seeds.js';
import { startBroker, type TestBroker } from '../test/broker-harness.js';
import { bankBalance, buy, registerCustomer, registerVendor } from '../test/scenario.js';
import { BrokerSecrets } from '../shared/broker-secrets.js';
import type { CoinsPurchasedAnswer } from './buy-coins.command.js';
import { PurchaseSettlement } from './purchase-settlement.js';

// The purchase over HTTP with the in-memory store and idempotency records: no servers.
describe('POST /purchases', () => {
  let broker: TestBroker;
  let store: InMemoryEventStore;

  beforeAll(async () => {
    store = new InMemoryEventStore();
    broker = await startBroker({ store, clock: new ManualClock('2026-03-01T10:00:00.000Z') });
  });
  afterAll(() => broker.close());

  it('charges one macro-payment and hands out client-side chains that hash down to their signed roots', async () => {
    const customer = await registerCustomer(broker.http, 10_000);
    const res = await buy(broker.http, customer, { coins: 120, coinValue: 5 });
    expect(res.status).toBe(201);
    const answer = res.json<CoinsPurchasedAnswer>();
    expect(answer).toMatchObject({
      status: 'completed',
      coins: 120,
      amount: 600,
      currency: 'NZD',
      wallet: 'client',
    });
    // CHAIN_MAX_LENGTH is 50 in tests: 50 + 50 + 20.
    expect(answer.chains.map((c) => c.length)).toEqual([50, 50, 20]);
    const keys = (await broker.http('GET', '/keys')).json<{ keys: [] }>().keys;
    for (const chain of answer.chains) {
      const t: Touchstone = chain.touchstone;
      expect(verifyTouchstone(t, keys).ok).toBe(true);
      expect(paywordAt(chain.seed!, chain.chainId, t.alg, t.length, 0)).toBe(t.root);
      expect(JSON.stringify(t)).not.toContain(customer.customerId);
    }
    expect(await bankBalance(broker.http, customer.bankAccount)).toBe(10_000 - 600);
  });

  it('answers a retry with the same Idempotency-Key with the same chains, charged once', async () => {
    const customer = await registerCustomer(broker.http, 1_000);
    const first = await buy(broker.http, customer, { coins: 10 }, 'retry-key-0001');
    const again = await buy(broker.http, customer, { coins: 10 }, 'retry-key-0001');
    expect(again.status).toBe(201);
    expect(again.json()).toEqual(replayOf(first.json())); // the seeds were shown once
    expect(await bankBalance(broker.http, customer.bankAccount)).toBe(1_000 - 50);
  });

  it('refuses a declined payment with PURCHASE.DECLINED and issues nothing', async () => {
    const customer = await registerCustomer(broker.http, 10);
    const before = (await store.readAll()).length;
    const res = await buy(broker.http, customer, { coins: 10, coinValue: 5 });
    expect(res.status).toBe(402);
    expect(res.json()).toMatchObject({ code: 'PURCHASE.DECLINED', reason: 'insufficient-funds' });
    const written = (await store.readAll()).slice(before).map((e) => e.type);
    expect(written).toEqual(['PurchaseRequested', 'BankPaymentDeclined', 'PurchaseDeclined']);
    expect(await bankBalance(broker.http, customer.bankAccount)).toBe(10);
  });

  it('refuses chains restricted to a vendor it does not know, before charging (VENDOR.NOT_FOUND)', async () => {
    await registerVendor(broker.http, 'known_shop');
    const customer = await registerCustomer(broker.http, 1_000);
    const before = (await store.readAll()).length;
    const res = await buy(broker.http, customer, { coins: 10, vendors: ['known_shop', 'no_such_shop'] });
    expect(res.status).toBe(404);
    expect(res.json()).toMatchObject({ code: 'VENDOR.NOT_FOUND' });
    expect((await store.readAll()).length).toBe(before);
    expect(await bankBalance(broker.http, customer.bankAccount)).toBe(1_000);
    // Known vendors only: bought, and the touchstone names them.
    const bought = await buy(broker.http, customer, { coins: 10, vendors: ['known_shop'] });
    expect(bought.status).toBe(201);
    const [chain] = bought.json<CoinsPurchasedAnswer>().chains;
    expect(chain?.touchstone.vendorRestriction).toEqual(['known_shop']);
  });

  it('answers a retry of a purchase settled before the vendor check; refuses one recorded but never charged', async () => {
    // Recorded by a broker without the check (their stored answers since gone).
    const customer = await registerCustomer(broker.http, 1_000);
    const recordFor = async (key: string) => {
      const purchaseId = broker.app.get(BrokerSecrets).id('pur', 'purchase', customer.customerId, key);
      return broker.app.get(PurchaseSettlement).request({
        purchaseId,
        customerId: customer.customerId,
        bankAccount: customer.bankAccount,
        coins: 10,
        coinValue: 5,
        amount: 50,
        currency: 'NZD',
        wallet: 'client',
        expiresInDays: broker.config.chainExpiryDays,
        vendors: ['gone_shop'],
        at: new Date('2026-03-01T10:00:00.000Z').toISOString(),
      });
    };
    // Settled (here declined by the bank): the retry gets that answer, not a refusal it never had.
    const settled = await recordFor('settled-before-check-1');
    if (settled.status !== 'requested') throw new Error(`recorded as ${settled.status}`);
    await broker.app.get(PurchaseSettlement).decline(settled, 'insufficient-funds');
    const retry = await buy(
      broker.http,
      customer,
      { coins: 10, vendors: ['gone_shop'] },
      'settled-before-check-1',
    );
    expect([retry.status, retry.json<{ code: string }>().code]).toEqual([402, 'PURCHASE.DECLINED']);
    // Recorded, never charged: charging now would buy coins no vendor can take.
    await recordFor('requested-before-check-1');
    const refused = await buy(
      broker.http,
      customer,
      { coins: 10, vendors: ['gone_shop'] },
      'requested-before-check-1',
    );
    expect([refused.status, refused.json<{ code: string }>().code]).toEqual([404, 'VENDOR.NOT_FOUND']);
    expect(await bankBalance(broker.http, customer.bankAccount)).toBe(1_000);
  });

  it('refuses a call without a valid token with CUSTOMER.UNAUTHORISED', async () => {
    const res = await broker.http('POST', '/purchases', {
      token: 'npc.cus_nobody.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      body: { coins: 1, coinValue: 1, currency: 'NZD', wallet: 'client' },
    });
    expect(res.status).toBe(401);
    expect(res.json()).toMatchObject({ code: 'CUSTOMER.UNAUTHORISED' });
  });
});
