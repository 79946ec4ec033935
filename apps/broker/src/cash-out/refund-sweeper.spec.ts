import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { InMemoryEventStore } from '#event-store';
import { streams } from '#events';
import { ManualClock } from '#platform';
import type { AuditReport } from '../../../auditor/src/core/report.js';
import { bankStream } from '../bank/simulated-bank.events.js';
import {
  ADMIN_TOKEN,
  startBroker,
  testBrokerConfig,
  type TestBroker,
  type TestResponse,
} from '../test/broker-harness.js';
import { FaultyEventStore } from '../test/faults.js';
import { auditStore, customerWithChain as chainOfTen } from '../test/refunds.js';
import { bankBalance, openBankAccount, type TestCustomer } from '../test/scenario.js';
import type { CashOutAnswer } from './cash-out.handler.js';
import { WalletProjection } from '../wallet-view/wallet.projection.js';
import { RefundPayment } from './refund-payment.js';
import { RefundSweeper } from './refund.sweeper.js';

// A cash-out that stops after the chain's close (the broker dies, the bank or the store is away)
// used to finish only if the customer retried; a customer the bank had already paid had no reason
// to. The sweep finishes it: the refund is paid once and recorded, whoever gets there first.
describe('cash-out: the refund sweep finishes a cash-out that stopped after the close (in-memory store)', () => {
  const clock = new ManualClock('2026-03-01T10:00:00.000Z');
  const memory = new InMemoryEventStore();
  const store = new FaultyEventStore(memory);
  let broker: TestBroker;
  let sweeper: RefundSweeper;
  /** REFUND_SWEEP_AFTER, past which a close without its refund is swept. */
  const AFTER_MS = 120_000;

  beforeAll(async () => {
    // The timer is off: each test sweeps when it means to.
    const config = testBrokerConfig({ REFUND_SWEEP_INTERVAL: '0', REFUND_SWEEP_AFTER: '2m' });
    broker = await startBroker({ store, clock, config });
    sweeper = broker.app.get(RefundSweeper);
  });
  afterAll(() => broker.close());

  const customerWithChain = () => chainOfTen(broker.http);

  const cashOut = (customer: TestCustomer, chainId: string, body?: object): Promise<TestResponse> =>
    broker.http('POST', `/chains/${chainId}/cash-out`, { token: customer.token, ...(body ? { body } : {}) });

  const customerTypes = async (customer: TestCustomer): Promise<string[]> =>
    (await memory.readStream(streams.customer(customer.customerId))).map((e) => e.type);

  const audit = (): Promise<AuditReport> => auditStore(broker.http, memory);

  /** The broker stops after the bank paid the refund, before `CoinsRefunded` is written. */
  function stopBeforeTheRecord(customer: TestCustomer): void {
    store.failOnce(
      (stream, events) =>
        stream === streams.customer(customer.customerId) && events[0]?.type === 'CoinsRefunded',
    );
  }

  it('records a refund the bank paid when the cash-out stopped before its record, once, after REFUND_SWEEP_AFTER', async () => {
    const { customer, chainId } = await customerWithChain();
    const before = await bankBalance(broker.http, customer.bankAccount);
    stopBeforeTheRecord(customer);
    expect((await cashOut(customer, chainId)).status).toBeGreaterThanOrEqual(500);
    expect(await bankBalance(broker.http, customer.bankAccount)).toBe(before + 50);
    expect(await customerTypes(customer)).toEqual(['CustomerRegistered']);
    const stopped = await audit();
    expect(stopped.money.NZD?.outstandingLiability).toBeGreaterThanOrEqual(50);
    // The auditor sees the bank's booking with no NetPay event for it.
    expect(stopped.warningsByCode).toMatchObject({ 'W.BANK_PAYMENT_NOT_RECORDED': 1 });

    // Too recent: the customer's own retry is the usual way; the sweep leaves it.
    clock.advance(AFTER_MS - 1_000);
    expect(await sweeper.sweep()).toBe(0);
    expect(await customerTypes(customer)).toEqual(['CustomerRegistered']);

    clock.advance(2_000);
    expect(await sweeper.sweep()).toBe(1);
    const events = await memory.readStream(streams.customer(customer.customerId));
    expect(events.map((e) => e.type)).toEqual(['CustomerRegistered', 'CoinsRefunded']);
    expect(events[1]!.data).toMatchObject({
      chainId,
      amount: 50,
      currency: 'NZD',
      bankAccount: customer.bankAccount,
    });
    // Paid once: the bank was asked again under the chain's key and answered the first booking.
    expect(await bankBalance(broker.http, customer.bankAccount)).toBe(before + 50);
    const booked = (await memory.readStream(bankStream(customer.bankAccount))).filter(
      (e) => e.type === 'BankPaymentBooked',
    );
    expect(booked.filter((e) => (e.data as { reference?: string }).reference === chainId)).toHaveLength(1);

    // Nothing left to sweep; the customer's late retry answers the same refund.
    expect(await sweeper.sweep()).toBe(0);
    const retry = await cashOut(customer, chainId);
    expect(retry.status).toBe(201);
    expect(retry.json<CashOutAnswer>()).toMatchObject({
      amount: 50,
      paymentRef: (events[1]!.data as { paymentRef: string }).paymentRef,
      refundedTo: customer.bankAccount,
    });
    const report = await audit();
    expect(report.violationsByRule).toEqual({});
    expect(report.warningsByCode).toEqual({});
    expect(report.money.NZD?.outstandingLiability).toBe(stopped.money.NZD!.outstandingLiability - 50);
  });

  it('pays a refund the bank never made (the bank was away after the close)', async () => {
    const { customer, chainId } = await customerWithChain();
    const before = await bankBalance(broker.http, customer.bankAccount);
    // The bank's ledger cannot be written: the payout fails, nothing is paid.
    store.failOnce(
      (stream, events) =>
        stream === bankStream(customer.bankAccount) && events[0]?.type === 'BankPaymentBooked',
    );
    const away = await cashOut(customer, chainId);
    expect([away.status, away.json<{ code: string }>().code]).toEqual([503, 'PAYMENT.UNAVAILABLE']);
    expect(await bankBalance(broker.http, customer.bankAccount)).toBe(before);

    clock.advance(AFTER_MS + 1_000);
    expect(await sweeper.sweep()).toBe(1);
    expect(await bankBalance(broker.http, customer.bankAccount)).toBe(before + 50);
    expect(await customerTypes(customer)).toEqual(['CustomerRegistered', 'CoinsRefunded']);
    expect((await audit()).violationsByRule).toEqual({});
  });

  it('leaves a refund declined for good to the customer, who names another account', async () => {
    const { customer, chainId } = await customerWithChain();
    store.beforeNext(
      (stream, events) => stream === streams.chain(chainId) && events[0]?.type === 'ChainClosed',
      async () => {
        const closed = await broker.http('POST', `/bank/accounts/${customer.bankAccount}/close`, {
          token: ADMIN_TOKEN,
        });
        expect(closed.status).toBe(200);
      },
    );
    expect((await cashOut(customer, chainId)).status).toBe(402);
    expect(await customerTypes(customer)).toEqual(['CustomerRegistered', 'RefundDeclined']);

    // The bank would decline it there ever after: the sweep does not ask again, nor record more.
    clock.advance(AFTER_MS + 1_000);
    expect(await sweeper.sweep()).toBe(0);
    expect(await customerTypes(customer)).toEqual(['CustomerRegistered', 'RefundDeclined']);

    const bankAccount = `acct_${randomUUID().replaceAll('-', '')}`;
    const bankMandate = await openBankAccount(broker.http, bankAccount, 0, 'NZD');
    // The move is recorded, then the broker stops before recording the refund it paid there.
    stopBeforeTheRecord(customer);
    const moved = await cashOut(customer, chainId, {
      refundAccount: bankAccount,
      refundMandate: bankMandate,
    });
    expect(moved.status).toBeGreaterThanOrEqual(500);
    expect(await bankBalance(broker.http, bankAccount)).toBe(50);

    clock.advance(AFTER_MS + 1_000);
    expect(await sweeper.sweep()).toBe(1);
    expect(await customerTypes(customer)).toEqual([
      'CustomerRegistered',
      'RefundDeclined',
      'RefundAccountChosen',
      'CoinsRefunded',
    ]);
    expect(await bankBalance(broker.http, bankAccount)).toBe(50);
    const report = await audit();
    expect(report.violationsByRule).toEqual({});
    expect(report.money.NZD?.refundsOwed ?? 0).toBe(0);
  });

  /** The bank's ledger cannot be written once: the cash-out's payout fails (503), nothing is paid. */
  function bankAwayOnce(customer: TestCustomer): void {
    store.failOnce(
      (stream, events) =>
        stream === bankStream(customer.bankAccount) && events[0]?.type === 'BankPaymentBooked',
    );
  }

  const refundBookings = async (customer: TestCustomer, chainId: string): Promise<number> =>
    (await memory.readStream(bankStream(customer.bankAccount))).filter(
      (e) => e.type === 'BankPaymentBooked' && (e.data as { reference?: string }).reference === chainId,
    ).length;

  it('pays the whole unspent value when a vendor appended a spend after the close, and sweeps it still', async () => {
    const { customer, chainId } = await customerWithChain();
    const before = await bankBalance(broker.http, customer.bankAccount);
    bankAwayOnce(customer);
    expect((await cashOut(customer, chainId)).status).toBe(503);
    // Any registered vendor may append to a chain stream: a spend of the whole chain after the close.
    const late = await memory.appendToStream(streams.chain(chainId), [
      {
        id: randomUUID(),
        type: 'CoinsSpent',
        version: 1,
        data: {
          chainId,
          vendorId: 'v-late',
          fromIndex: 1,
          toIndex: 10,
          payword: 'ab'.repeat(32),
          receiptId: 'r_late',
          at: clock.now().toISOString(),
        },
        metadata: { correlationId: 'c', causationId: 'c', actor: 'vendor:v-late' },
      },
    ]);
    await broker.app.get(WalletProjection).waitFor(late.position);
    clock.advance(AFTER_MS + 1_000);
    expect(await sweeper.sweep()).toBe(1);
    expect(await bankBalance(broker.http, customer.bankAccount)).toBe(before + 50);
  });

  it('two sweeps at once (two replicas) pay and record the refund once', async () => {
    const { customer, chainId } = await customerWithChain();
    bankAwayOnce(customer);
    expect((await cashOut(customer, chainId)).status).toBe(503);
    clock.advance(AFTER_MS + 1_000);
    const payment = broker.app.get(RefundPayment);
    const [first, second] = await Promise.all([
      payment.finish(customer.customerId, chainId),
      payment.finish(customer.customerId, chainId),
      sweeper.sweep(),
    ]);
    expect([first.status, second.status]).toEqual(['paid', 'paid']);
    expect(await refundBookings(customer, chainId)).toBe(1);
    expect((await customerTypes(customer)).filter((t) => t === 'CoinsRefunded')).toHaveLength(1);
    expect(await payment.finish(customer.customerId, chainId)).toEqual({ status: 'recorded' });
  });

  it('never refunds a chain closed otherwise (re-issued), whatever its age', async () => {
    const { customer, chainId } = await customerWithChain();
    const reissued = await broker.http('POST', `/chains/${chainId}/reissue`, { token: customer.token });
    expect(reissued.status).toBe(201);
    clock.advance(AFTER_MS + 1_000);
    expect(await sweeper.sweep()).toBe(0);
    expect(await broker.app.get(RefundPayment).finish(customer.customerId, chainId)).toEqual({
      status: 'none',
    });
    expect(await refundBookings(customer, chainId)).toBe(0);
  });

  it("holds a revoked customer's refund for the operator, and pays it once the revocation is lifted", async () => {
    const { customer, chainId } = await customerWithChain();
    const before = await bankBalance(broker.http, customer.bankAccount);
    store.failOnce(
      (stream, events) =>
        stream === bankStream(customer.bankAccount) && events[0]?.type === 'BankPaymentBooked',
    );
    expect((await cashOut(customer, chainId)).status).toBe(503);
    const revoked = await broker.http('POST', `/customers/${customer.customerId}/revoke`, {
      token: ADMIN_TOKEN,
      body: { reason: 'FRAUD.CHARGEBACK' },
    });
    expect(revoked.status).toBe(200);

    clock.advance(AFTER_MS + 1_000);
    expect(await sweeper.sweep()).toBe(0);
    expect(await bankBalance(broker.http, customer.bankAccount)).toBe(before);

    const lifted = await broker.http('POST', `/customers/${customer.customerId}/reinstate`, {
      token: ADMIN_TOKEN,
    });
    expect(lifted.status).toBe(200);
    expect(await sweeper.sweep()).toBe(1);
    expect(await bankBalance(broker.http, customer.bankAccount)).toBe(before + 50);
    expect(await customerTypes(customer)).toContain('CoinsRefunded');
  });
});
