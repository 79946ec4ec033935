import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { InMemoryEventStore } from '#event-store';
import { ManualClock } from '#platform';
import { SimulatedBank } from '../bank/simulated-bank.js';
import type { CoinsPurchasedAnswer } from '../buy-coins/buy-coins.command.js';
import { startBroker, testBrokerConfig, type TestBroker } from '../test/broker-harness.js';
import { FaultyEventStore, LossyGateway } from '../test/faults.js';
import { auditStore } from '../test/refunds.js';
import { bankBalance, buy, registerCustomer, type TestCustomer } from '../test/scenario.js';
import type { PublicKeyRecord } from '#protocol';
import { Audit } from '../../../auditor/src/core/audit.js';
import { replayStore } from '../../../auditor/src/cli/replay.js';
import { PurchaseReconciler } from './purchase-reconciler.js';

// A purchase whose bank answer was lost is settled with the bank by its key, without the customer.
describe('purchase reconciliation (in-memory store)', () => {
  const clock = new ManualClock(new Date('2026-03-01T10:00:00.000Z'));
  const memory = new InMemoryEventStore();
  const bank = new SimulatedBank(memory, clock, 1_000_000);
  const gateway = new LossyGateway(bank);
  let broker: TestBroker;
  let reconciler: PurchaseReconciler;

  beforeAll(async () => {
    const config = testBrokerConfig({ PURCHASE_RECONCILE_INTERVAL: '1h', PURCHASE_RECONCILE_AFTER: '2m' });
    broker = await startBroker({ store: memory, clock, config, paymentGateway: gateway });
    reconciler = broker.app.get(PurchaseReconciler);
  });
  afterAll(() => broker.close());

  async function customer(balance: number): Promise<TestCustomer> {
    const bankAccount = `acct_${randomUUID().replaceAll('-', '')}`;
    const opened = await bank.openAccount({ accountId: bankAccount, currency: 'NZD', balance });
    const bankMandate = opened ? opened.mandate : '';
    const res = await broker.http('POST', '/customers', {
      body: { name: 'Ada Reader', bankAccount, bankMandate },
    });
    return { ...res.json<{ customerId: string; token: string }>(), bankAccount };
  }

  /** The one purchase this customer asked for, as recorded before its charge. */
  async function purchaseOf(c: TestCustomer): Promise<string> {
    const requested = (await memory.readAll()).filter(
      (e) => e.type === 'PurchaseRequested' && (e.data as { customerId: string }).customerId === c.customerId,
    );
    expect(requested).toHaveLength(1);
    return (requested[0]!.data as { purchaseId: string }).purchaseId;
  }

  const typesOf = async (purchaseId: string): Promise<string[]> =>
    (await memory.readStream(`purchase-${purchaseId}`)).map((e) => e.type);

  it('charged, answer lost, the customer never retries: reconciliation completes it, charged once', async () => {
    const c = await customer(1_000);
    gateway.loseNextAnswer();
    expect(
      (await buy(broker.http, c, { coins: 10, coinValue: 5, wallet: 'server' }, 'reconcile-01')).status,
    ).toBe(503);
    const purchaseId = await purchaseOf(c);
    expect(await typesOf(purchaseId)).toEqual(['PurchaseRequested']);

    expect(await reconciler.reconcile(purchaseId)).toBe('completed');
    expect(await reconciler.reconcile(purchaseId)).toBe('completed'); // again: nothing more
    expect(await typesOf(purchaseId)).toEqual(['PurchaseRequested', 'CoinsPurchased']);
    const [, completed] = await memory.readStream(`purchase-${purchaseId}`);
    expect(completed!.data).toMatchObject({ amount: 50, reconciled: true });
    expect(completed!.metadata.actor).toBe('broker'); // settled by the broker, not by the customer
    expect(await bank.account(c.bankAccount)).toMatchObject({ balance: 950, payments: 1 });

    // The customer's later retry finds the purchase completed, with its chains.
    const retry = await buy(broker.http, c, { coins: 10, coinValue: 5, wallet: 'server' }, 'reconcile-01');
    expect(retry.status).toBe(201);
    expect(retry.json<CoinsPurchasedAnswer>().chains.map((ch) => ch.chainId)).toEqual(
      (completed!.data as { chainIds: string[] }).chainIds,
    );
  });

  it('a client-side purchase completed by reconciliation shows no seed; the retry says how to re-issue', async () => {
    const c = await customer(1_000);
    gateway.loseNextAnswer();
    const body = { coins: 10, coinValue: 5, wallet: 'client' as const, walletNonce: 'ab'.repeat(32) };
    expect((await buy(broker.http, c, body, 'reconcile-02')).status).toBe(503);
    expect(await reconciler.reconcile(await purchaseOf(c))).toBe('completed');
    const retry = await buy(broker.http, c, body, 'reconcile-02');
    expect(retry.status).toBe(201);
    const answer = retry.json<CoinsPurchasedAnswer>();
    expect(answer.withheld).toEqual(['chains[].seed']);
    expect(answer.chains.every((ch) => ch.seed === undefined)).toBe(true);
  });

  it('the bank was never reached: reconciliation voids the key, nothing is charged, a late retry is refused', async () => {
    const c = await customer(1_000);
    gateway.failNextCharge();
    expect((await buy(broker.http, c, { coins: 10, coinValue: 5 }, 'reconcile-03')).status).toBe(503);
    const purchaseId = await purchaseOf(c);
    expect(await reconciler.reconcile(purchaseId)).toBe('voided');
    expect(await typesOf(purchaseId)).toEqual(['PurchaseRequested', 'PurchaseVoided']);

    const late = await buy(broker.http, c, { coins: 10, coinValue: 5 }, 'reconcile-03');
    expect(late.status).toBe(409);
    expect(late.json()).toMatchObject({ code: 'PURCHASE.VOIDED' });
    expect(await bank.account(c.bankAccount)).toMatchObject({ balance: 1_000, payments: 0 });
    // A new key buys as usual.
    expect((await buy(broker.http, c, { coins: 10, coinValue: 5 }, 'reconcile-03-b')).status).toBe(201);
  });

  it('a sweep settles only purchases older than PURCHASE_RECONCILE_AFTER', async () => {
    const c = await customer(1_000);
    gateway.loseNextAnswer();
    expect((await buy(broker.http, c, { coins: 4, coinValue: 5 }, 'reconcile-04')).status).toBe(503);
    const purchaseId = await purchaseOf(c);
    await waitUntil(() => reconciler.unsettled().includes(purchaseId));

    await reconciler.sweep();
    expect(await typesOf(purchaseId)).toEqual(['PurchaseRequested']); // too young: its charge may be in flight
    clock.advance(3 * 60_000);
    await reconciler.sweep();
    expect(await typesOf(purchaseId)).toEqual(['PurchaseRequested', 'CoinsPurchased']);
    expect(reconciler.unsettled()).not.toContain(purchaseId);
  });

  it('leaves a log the auditor finds clean: reconciled, voided and pending purchases counted', async () => {
    const { keys } = (await broker.http('GET', '/keys')).json<{ keys: PublicKeyRecord[] }>();
    const audit = new Audit({ brokerKeys: keys });
    await replayStore(memory, audit, { pageSize: 100 });
    const report = audit.finish();
    expect(report.violationsByRule).toEqual({});
    expect(report.parties).toMatchObject({ purchasesVoided: 1, purchasesReconciled: 3, purchasesPending: 0 });
  });
});

// The broker dies after a client-side chain's `ChainIssued` and before `CoinsPurchased`: the
// customer's wallet nonce is gone with the request, so reconciliation takes the chain as issued.
describe('purchase reconciliation after ChainIssued (in-memory store)', () => {
  const clock = new ManualClock(new Date('2026-03-01T10:00:00.000Z'));
  const memory = new InMemoryEventStore();
  const store = new FaultyEventStore(memory);
  let broker: TestBroker;

  beforeAll(async () => {
    const config = testBrokerConfig({ PURCHASE_RECONCILE_INTERVAL: '1h', PURCHASE_RECONCILE_AFTER: '2m' });
    broker = await startBroker({ store, clock, config });
  });
  afterAll(() => broker.close());

  it('records the purchase with the chain already issued: charged once, paid for, the audit clean', async () => {
    const c = await registerCustomer(broker.http, 1_000);
    store.failOnce(
      (stream, events) => stream.startsWith('purchase-') && events[0]?.type === 'CoinsPurchased',
    );
    const body = { coins: 10, coinValue: 5, wallet: 'client' as const, walletNonce: 'cd'.repeat(32) };
    expect((await buy(broker.http, c, body, 'reconcile-issued-01')).status).toBeGreaterThanOrEqual(500);
    const requested = (await memory.readAll()).find(
      (e) => e.type === 'PurchaseRequested' && (e.data as { customerId: string }).customerId === c.customerId,
    )!;
    const purchaseId = (requested.data as { purchaseId: string }).purchaseId;
    const issued = (await memory.readAll()).filter((e) => e.type === 'ChainIssued');
    const chainId = (issued.at(-1)!.data as { chainId: string }).chainId;

    expect(await broker.app.get(PurchaseReconciler).reconcile(purchaseId)).toBe('completed');
    const [, completed] = await memory.readStream(`purchase-${purchaseId}`);
    expect(completed!.data).toMatchObject({ chainIds: [chainId], amount: 50, reconciled: true });
    expect((await memory.readStream(`chain-${chainId}`)).map((e) => e.type)).toEqual(['ChainIssued']);
    expect(await bankBalance(broker.http, c.bankAccount)).toBe(950);
    const report = await auditStore(broker.http, memory);
    expect(report.violationsByRule).toEqual({});
    expect(report.parties).toMatchObject({ purchasesReconciled: 1, purchasesPending: 0 });
  });
});

async function waitUntil(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(condition()).toBe(true);
}
