import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { InMemoryEventStore } from '#event-store';
import { streams } from '#events';
import { ManualClock } from '#platform';
import type { AuditReport } from '../../../auditor/src/core/report.js';
import { ADMIN_TOKEN, startBroker, type TestBroker, type TestResponse } from '../test/broker-harness.js';
import { FaultyEventStore } from '../test/faults.js';
import { auditStore, customerWithChain as chainOfTen } from '../test/refunds.js';
import { bankBalance, openBankAccount, type TestCustomer } from '../test/scenario.js';
import type { CashOutAnswer } from './cash-out.handler.js';

// A cash-out's refund the bank declines: before the close the chain stays open; after it (the
// account closed in between) the value is recorded as owed, and the customer can have it paid to
// another account of theirs — once, whatever the retries and races.
describe('cash-out: a refund the bank declines (in-memory store, simulated bank)', () => {
  const clock = new ManualClock('2026-03-01T10:00:00.000Z');
  const memory = new InMemoryEventStore();
  const store = new FaultyEventStore(memory);
  let broker: TestBroker;

  beforeAll(async () => {
    broker = await startBroker({ store, clock });
  });
  afterAll(() => broker.close());

  const customerWithChain = () => chainOfTen(broker.http);

  async function otherAccount(currency = 'NZD'): Promise<{ bankAccount: string; bankMandate: string }> {
    const bankAccount = `acct_${randomUUID().replaceAll('-', '')}`;
    return { bankAccount, bankMandate: await openBankAccount(broker.http, bankAccount, 0, currency) };
  }

  const closeAccount = (account: string): Promise<TestResponse> =>
    broker.http('POST', `/bank/accounts/${account}/close`, { token: ADMIN_TOKEN });

  function cashOut(
    customer: TestCustomer,
    chainId: string,
    to?: { bankAccount: string; bankMandate: string },
  ): Promise<TestResponse> {
    return broker.http('POST', `/chains/${chainId}/cash-out`, {
      token: customer.token,
      ...(to ? { body: { refundAccount: to.bankAccount, refundMandate: to.bankMandate } } : {}),
    });
  }

  /** The bank closes the customer's account just before the chain's close is appended. */
  function closeAccountDuringTheClose(customer: TestCustomer, chainId: string): void {
    store.beforeNext(
      (stream, events) => stream === streams.chain(chainId) && events[0]?.type === 'ChainClosed',
      async () => {
        expect((await closeAccount(customer.bankAccount)).status).toBe(200);
      },
    );
  }

  const customerTypes = async (customer: TestCustomer): Promise<string[]> =>
    (await memory.readStream(streams.customer(customer.customerId))).map((e) => e.type);

  const audit = (): Promise<AuditReport> => auditStore(broker.http, memory);

  it('records a refund declined after the close as owed, and pays it once to another account the customer proves', async () => {
    const { customer, chainId } = await customerWithChain();
    closeAccountDuringTheClose(customer, chainId);

    const declined = await cashOut(customer, chainId);
    expect(declined.status).toBe(402);
    expect(declined.json()).toMatchObject({
      code: 'CASHOUT.BANK_DECLINED',
      reason: 'account-closed',
      refundOwed: 50,
    });
    expect((await memory.readStream(streams.chain(chainId))).map((e) => e.type)).toEqual([
      'ChainIssued',
      'ChainClosed',
    ]);
    const owed = await audit();
    expect(owed.violationsByRule).toEqual({});
    expect(owed.money.NZD?.refundsOwed).toBe(50);

    // Asked again, the bank answers the same; the decline is recorded once.
    expect((await cashOut(customer, chainId)).status).toBe(402);
    expect(await customerTypes(customer)).toEqual(['CustomerRegistered', 'RefundDeclined']);

    // Another account needs its mandate: nothing is recorded without it.
    const other = await otherAccount();
    const unproven = await cashOut(customer, chainId, { ...other, bankMandate: 'mdt_not_the_mandate_of_it' });
    expect([unproven.status, unproven.json<{ code: string }>().code]).toEqual([403, 'BANK.MANDATE_INVALID']);
    expect(await customerTypes(customer)).toEqual(['CustomerRegistered', 'RefundDeclined']);

    // An account that would decline it too (another currency): answered at once, nothing moves.
    const aud = await cashOut(customer, chainId, await otherAccount('AUD'));
    expect(aud.status).toBe(402);
    expect(aud.json()).toMatchObject({ reason: 'currency-mismatch', refundOwed: 50 });
    expect(await customerTypes(customer)).toEqual(['CustomerRegistered', 'RefundDeclined']);

    clock.advance(60_000);
    const paid = await cashOut(customer, chainId, other);
    expect(paid.status).toBe(201);
    expect(paid.json<CashOutAnswer>()).toMatchObject({
      amount: 50,
      coins: 10,
      refundedTo: other.bankAccount,
    });
    expect(await bankBalance(broker.http, other.bankAccount)).toBe(50);

    // Retries, with or without a body, or naming yet another account, answer the refund made.
    const third = await otherAccount();
    for (const again of [
      await cashOut(customer, chainId, other),
      await cashOut(customer, chainId),
      await cashOut(customer, chainId, third),
    ]) {
      expect(again.status).toBe(201);
      expect(again.json<CashOutAnswer>().paymentRef).toBe(paid.json<CashOutAnswer>().paymentRef);
    }
    expect(await bankBalance(broker.http, other.bankAccount)).toBe(50);
    expect(await bankBalance(broker.http, third.bankAccount)).toBe(0);
    // Once paid, a retry answers the refund made, whatever became of the account named.
    expect((await closeAccount(other.bankAccount)).status).toBe(200);
    const afterClose = await cashOut(customer, chainId, other);
    expect([afterClose.status, afterClose.json<CashOutAnswer>().refundedTo]).toEqual([
      201,
      other.bankAccount,
    ]);
    expect(await customerTypes(customer)).toEqual([
      'CustomerRegistered',
      'RefundDeclined',
      'RefundAccountChosen',
      'CoinsRefunded',
    ]);
    // The customer's history tells the decline, then the refund.
    const history = await broker.http('GET', '/wallet/history', { token: customer.token });
    const entries = history.json<{ entries: { kind: string; chainId?: string }[] }>().entries;
    // (The close and the decline happened in the same request, at the same time: the log's order.)
    expect(entries.filter((e) => e.chainId === chainId).map((e) => e.kind)).toEqual([
      'closed',
      'refund-declined',
      'refund',
    ]);
    const settled = await audit();
    expect(settled.violationsByRule).toEqual({});
    expect(settled.money.NZD?.refundsOwed).toBe(0);
  });

  it('pays a chain whose registered account closed to another account named at the cash-out', async () => {
    const { customer, chainId } = await customerWithChain();
    expect((await closeAccount(customer.bankAccount)).status).toBe(200);
    const refused = await cashOut(customer, chainId);
    expect([refused.status, refused.json<{ code: string }>().code]).toEqual([402, 'CASHOUT.BANK_DECLINED']);

    // An account that would refuse it too (in another currency) leaves the chain open.
    const refusedThere = await cashOut(customer, chainId, await otherAccount('AUD'));
    expect(refusedThere.status).toBe(402);
    expect(refusedThere.json()).toMatchObject({ code: 'CASHOUT.BANK_DECLINED', reason: 'currency-mismatch' });
    expect((await memory.readStream(streams.chain(chainId))).map((e) => e.type)).toEqual(['ChainIssued']);

    const other = await otherAccount();
    const paid = await cashOut(customer, chainId, other);
    expect(paid.status).toBe(201);
    expect(paid.json<CashOutAnswer>()).toMatchObject({ amount: 50, refundedTo: other.bankAccount });
    expect(await bankBalance(broker.http, other.bankAccount)).toBe(50);
    expect(await customerTypes(customer)).toEqual([
      'CustomerRegistered',
      'RefundDeclined',
      'RefundAccountChosen',
      'CoinsRefunded',
    ]);
    expect((await audit()).violationsByRule).toEqual({});
  });

  it('refuses another account while the registered one takes the refund: a token alone never moves it', async () => {
    const { customer, chainId } = await customerWithChain();
    const other = await otherAccount();
    const refused = await cashOut(customer, chainId, other);
    expect([refused.status, refused.json<{ code: string }>().code]).toEqual([
      409,
      'CASHOUT.REFUND_ACCOUNT_NOT_NEEDED',
    ]);
    expect((await memory.readStream(streams.chain(chainId))).map((e) => e.type)).toEqual(['ChainIssued']);
    expect(await bankBalance(broker.http, other.bankAccount)).toBe(0);

    // Only one of the two fields, or a malformed one: 400, nothing done.
    for (const body of [
      { refundAccount: other.bankAccount },
      { refundMandate: other.bankMandate },
      { refundAccount: 'no spaces', refundMandate: other.bankMandate },
    ]) {
      const bad = await broker.http('POST', `/chains/${chainId}/cash-out`, { token: customer.token, body });
      expect([bad.status, bad.json<{ code: string }>().code]).toEqual([400, 'REQUEST.INVALID']);
    }
    expect((await memory.readStream(streams.chain(chainId))).map((e) => e.type)).toEqual(['ChainIssued']);
  });

  it('pays one account when two cash-outs name different accounts at once', async () => {
    const { customer, chainId } = await customerWithChain();
    closeAccountDuringTheClose(customer, chainId);
    expect((await cashOut(customer, chainId)).status).toBe(402);
    const [b, c] = [await otherAccount(), await otherAccount()];
    const answers = await Promise.all([cashOut(customer, chainId, b), cashOut(customer, chainId, c)]);
    expect(answers.map((a) => a.status)).toEqual([201, 201]);
    const [first, second] = answers.map((a) => a.json<CashOutAnswer>());
    expect(second!.paymentRef).toBe(first!.paymentRef);
    expect(second!.refundedTo).toBe(first!.refundedTo);
    const balances = [
      await bankBalance(broker.http, b.bankAccount),
      await bankBalance(broker.http, c.bankAccount),
    ];
    expect(balances.sort()).toEqual([0, 50]);
    expect((await customerTypes(customer)).filter((t) => t === 'CoinsRefunded')).toHaveLength(1);
    expect((await audit()).violationsByRule).toEqual({});
  });
});
