import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { InMemoryEventStore } from '#event-store';
import { streams } from '#events';
import { ManualClock } from '#platform';
import type { BuyCoins, CoinsPurchasedAnswer } from '../buy-coins/buy-coins.command.js';
import { BuyCoinsHandler } from '../buy-coins/buy-coins.handler.js';
import { ADMIN_TOKEN, startBroker, type TestBroker } from '../test/broker-harness.js';
import {
  bankBalance,
  buy,
  openBankAccount,
  registerCustomer,
  registerVendor,
  type TestCustomer,
} from '../test/scenario.js';

// The broker's refusals of a revoked customer, and the unspent-value policy: nothing is refunded at
// revocation; after the lift the revoked chains stay revoked and their value stays held (pending the
// operator's review: no customer cash-out of a revoked chain), while new purchases work again.
describe('customer revocation at the broker (in-memory store, simulated bank)', () => {
  const clock = new ManualClock('2026-12-06T10:00:00.000Z');
  const store = new InMemoryEventStore();
  let broker: TestBroker;
  let customer: TestCustomer;
  let chains: string[];

  beforeAll(async () => {
    broker = await startBroker({ store, clock });
    await registerVendor(broker.http, 'v1');
    customer = await registerCustomer(broker.http, 1_000);
    chains = [];
    for (let i = 0; i < 2; i++) {
      const res = await buy(broker.http, customer, { coins: 10, coinValue: 5 });
      chains.push(res.json<CoinsPurchasedAnswer>().chains[0]!.chainId);
    }
  });
  afterAll(() => broker.close());

  const refusal = (res: { status: number; json: <T>() => T }) => ({
    status: res.status,
    code: res.json<{ code: string }>().code,
  });

  it('refuses purchases, re-issues and cash-outs of a revoked customer with 403 CUSTOMER.REVOKED; refunds nothing', async () => {
    const balance = await bankBalance(broker.http, customer.bankAccount);
    const res = await broker.http('POST', `/customers/${customer.customerId}/revoke`, {
      token: ADMIN_TOKEN,
      body: { reason: 'FRAUD.CHARGEBACK' },
    });
    expect(res.json()).toMatchObject({ status: 'revoked', chainsRevoked: chains });
    const revoked = { status: 403, code: 'CUSTOMER.REVOKED' };
    expect(refusal(await buy(broker.http, customer, { coins: 10, coinValue: 5 }))).toEqual(revoked);
    expect(
      refusal(await broker.http('POST', `/chains/${chains[0]}/cash-out`, { token: customer.token })),
    ).toEqual(revoked);
    expect(
      refusal(await broker.http('POST', `/chains/${chains[1]}/reissue`, { token: customer.token })),
    ).toEqual(revoked);
    expect(await bankBalance(broker.http, customer.bankAccount)).toBe(balance);
    const types = (await store.readStream(streams.customer(customer.customerId))).map((e) => e.type);
    expect(types).not.toContain('CoinsRefunded');
    // Another customer is not affected.
    const other = await registerCustomer(broker.http, 1_000);
    expect((await buy(broker.http, other, { coins: 10, coinValue: 5 })).status).toBe(201);
  });

  it('answers the retry of a purchase made before the revocation; refuses a new one', async () => {
    const other = await registerCustomer(broker.http, 1_000);
    const handler = broker.app.get(BuyCoinsHandler);
    const purchase = (idempotencyKey: string): BuyCoins => ({
      customerId: other.customerId,
      bankAccount: other.bankAccount,
      coins: 10,
      coinValue: 5,
      currency: 'NZD',
      wallet: 'server',
      idempotencyKey,
    });
    const before = await handler.execute(purchase('made-before-revocation'));
    const res = await broker.http('POST', `/customers/${other.customerId}/revoke`, {
      token: ADMIN_TOKEN,
      body: { reason: 'FRAUD.CHARGEBACK' },
    });
    expect(res.json()).toMatchObject({ status: 'revoked' });
    // The handler itself, as after a lost Idempotency-Key record: the stored purchase is the answer.
    const retry = await handler.execute(purchase('made-before-revocation'));
    expect(retry).toEqual(before);
    await expect(handler.execute(purchase('made-after-revocation'))).rejects.toMatchObject({
      code: 'CUSTOMER.REVOKED',
    });
    expect(await bankBalance(broker.http, other.bankAccount)).toBe(1_000 - 50);
  });

  it('an unknown customer is 404 CUSTOMER.NOT_FOUND and a reason that is not a code a 400; nothing is written', async () => {
    const missing = await broker.http('POST', '/customers/cus_nobody/revoke', {
      token: ADMIN_TOKEN,
      body: { reason: 'FRAUD.OTHER' },
    });
    expect(refusal(missing)).toEqual({ status: 404, code: 'CUSTOMER.NOT_FOUND' });
    const bad = await broker.http('POST', `/customers/${customer.customerId}/revoke`, {
      token: ADMIN_TOKEN,
      body: { reason: 'FRAUD.OTHER', evidence: ['not a reference!'] },
    });
    expect(bad.status).toBe(400);
    expect(await store.readStream(streams.customer('cus_nobody'))).toEqual([]);
  });

  it('after the lift the customer buys again; the revoked chain stays revoked, its value held', async () => {
    const lift = await broker.http('POST', `/customers/${customer.customerId}/reinstate`, {
      token: ADMIN_TOKEN,
    });
    expect(lift.json()).toMatchObject({ status: 'active', notice: { lifted: true } });
    const balance = await bankBalance(broker.http, customer.bankAccount);
    const cashed = await broker.http('POST', `/chains/${chains[0]}/cash-out`, { token: customer.token });
    expect(refusal(cashed)).toEqual({ status: 410, code: 'CHAIN.REVOKED' });
    expect(await bankBalance(broker.http, customer.bankAccount)).toBe(balance);
    const bought = await buy(broker.http, customer, { coins: 10, coinValue: 5 });
    expect(bought.status).toBe(201);
    const fresh = bought.json<CoinsPurchasedAnswer>().chains[0]!.chainId;
    expect((await broker.http('POST', `/chains/${fresh}/cash-out`, { token: customer.token })).status).toBe(
      201,
    );
  });
});

// A revocation covers the bank account the customer proved they control: the same person does not
// come back as a new customer with it, nor buy through another customer registered with it before.
describe('customer revocation covers the bank account (in-memory store, simulated bank)', () => {
  const store = new InMemoryEventStore();
  let broker: TestBroker;

  beforeAll(async () => {
    broker = await startBroker({ store, clock: new ManualClock('2026-12-06T10:00:00.000Z') });
  });
  afterAll(() => broker.close());

  const register = (bankAccount: string, bankMandate: string) =>
    broker.http('POST', '/customers', { body: { name: 'Ada Reader', bankAccount, bankMandate } });

  it('refuses a new registration with a revoked customer’s account, and purchases by its other customers, until the lift', async () => {
    const bankAccount = `acct_${randomUUID().replaceAll('-', '')}`;
    const bankMandate = await openBankAccount(broker.http, bankAccount, 1_000);
    const first = (await register(bankAccount, bankMandate)).json<{ customerId: string; token: string }>();
    const sibling = (await register(bankAccount, bankMandate)).json<{ customerId: string; token: string }>();
    const revoked = await broker.http('POST', `/customers/${first.customerId}/revoke`, {
      token: ADMIN_TOKEN,
      body: { reason: 'FRAUD.CHARGEBACK' },
    });
    expect(revoked.status).toBe(200);

    const again = await register(bankAccount, bankMandate);
    expect([again.status, again.json<{ code: string }>().code]).toEqual([403, 'CUSTOMER.REVOKED']);
    const standing = await broker.http('GET', `/customers/${sibling.customerId}/standing`, {
      token: ADMIN_TOKEN,
    });
    expect(standing.json()).toMatchObject({ status: 'active', revokedThroughAccount: [first.customerId] });
    const siblingBuys = await buy(broker.http, { ...sibling, bankAccount }, { coins: 10, coinValue: 5 });
    expect([siblingBuys.status, siblingBuys.json<{ code: string }>().code]).toEqual([
      403,
      'CUSTOMER.REVOKED',
    ]);
    // Nothing was recorded for the refused registration; another account registers as before.
    const customers = (await store.readAll()).filter((e) => e.type === 'CustomerRegistered');
    expect(customers).toHaveLength(2);
    expect((await registerCustomer(broker.http, 1_000)).customerId).toMatch(/^cus_/);

    const lifted = await broker.http('POST', `/customers/${first.customerId}/reinstate`, {
      token: ADMIN_TOKEN,
    });
    expect(lifted.status).toBe(200);
    expect((await register(bankAccount, bankMandate)).status).toBe(201);
    expect((await buy(broker.http, { ...sibling, bankAccount }, { coins: 10, coinValue: 5 })).status).toBe(
      201,
    );
  });
});
