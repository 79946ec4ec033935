import { describe, expect, it } from '@jest/globals';
import type { PaymentRequest } from './payment-gateway.port.js';
import {
  type BankAccount,
  decidePayment,
  evolveAccount,
  foldAccount,
  unknownAccount,
} from './simulated-bank.account.js';
import type { BankEvent } from './simulated-bank.events.js';

// Given the account's ledger, when a payment is asked for, then the bank books, declines or replays.
const AT = '2026-03-01T10:00:00.000Z';
const opened = (balance: number, maxCharge = 1_000): BankEvent => ({
  type: 'BankAccountOpened',
  data: { accountId: 'acc', currency: 'NZD', openingBalance: balance, maxCharge, at: AT },
});
const charge = (amount: number, idempotencyKey = `k-${amount}`): PaymentRequest => ({
  account: 'acc',
  amount,
  currency: 'NZD',
  idempotencyKey,
  reference: 'pur_1',
});

function given(...events: BankEvent[]): BankAccount {
  return events.reduce(evolveAccount, unknownAccount);
}

/** Applies whatever the decision appends, as the store would. */
function after(
  state: BankAccount,
  request: PaymentRequest,
  direction: 'debit' | 'credit' = 'debit',
): BankAccount {
  const decision = decidePayment(state, direction, request, AT);
  return decision.kind === 'append' ? evolveAccount(state, decision.event) : state;
}

describe('simulated bank account', () => {
  it('books a charge within balance and limit, and the balance drops by the amount', () => {
    const decision = decidePayment(given(opened(100)), 'debit', charge(60), AT);
    expect(decision).toMatchObject({
      kind: 'append',
      event: { type: 'BankPaymentBooked' },
      result: { ok: true },
    });
    expect(after(given(opened(100)), charge(60))).toMatchObject({ balance: 40 });
  });

  it('replays a key it has seen with the same request: same paymentRef, nothing appended', () => {
    const state = after(given(opened(100)), charge(60, 'key-1'));
    const first = decidePayment(given(opened(100)), 'debit', charge(60, 'key-1'), AT).result;
    expect(decidePayment(state, 'debit', charge(60, 'key-1'), AT)).toEqual({ kind: 'replay', result: first });
  });

  it('refuses another request under a used key without recording it', () => {
    const state = after(given(opened(100)), charge(60, 'key-1'));
    expect(decidePayment(state, 'debit', charge(61, 'key-1'), AT)).toMatchObject({
      kind: 'decline-unrecorded',
      result: { ok: false, reason: 'idempotency-key-reused' },
    });
  });

  it.each([
    ['insufficient-funds', given(opened(50)), charge(60)],
    ['over-limit', given(opened(5_000, 100)), charge(101)],
    [
      'account-closed',
      given(opened(100), { type: 'BankAccountClosed', data: { accountId: 'acc', at: AT } }),
      charge(1),
    ],
    ['currency-mismatch', given(opened(100)), { ...charge(1), currency: 'EUR' }],
  ])('declines with %s and records the decline', (reason, state, request) => {
    expect(decidePayment(state, 'debit', request, AT)).toMatchObject({
      kind: 'append',
      event: { type: 'BankPaymentDeclined', data: { reason } },
      result: { ok: false, declined: true, reason },
    });
  });

  it('answers a declined key with the same decline even after money arrived', () => {
    let state = after(given(opened(10)), charge(60, 'key-d'));
    state = after(state, { ...charge(500, 'payout-1') }, 'credit');
    expect(state).toMatchObject({ balance: 510 });
    expect(decidePayment(state, 'debit', charge(60, 'key-d'), AT)).toMatchObject({
      kind: 'replay',
      result: { ok: false, reason: 'insufficient-funds' },
    });
  });

  it('declines an unknown account without recording anything', () => {
    expect(decidePayment(unknownAccount, 'debit', charge(1), AT)).toMatchObject({
      kind: 'decline-unrecorded',
      result: { reason: 'account-unknown' },
    });
  });

  it('folds a run of events as one event at a time would, without touching the state it started from', () => {
    const start = given(opened(100));
    const events: BankEvent[] = [];
    let state = start;
    for (const [i, request] of [
      charge(60, 'a'),
      charge(60, 'b'),
      { ...charge(5, 'c'), currency: 'EUR' },
    ].entries()) {
      const decision = decidePayment(state, i === 2 ? 'credit' : 'debit', request, AT);
      if (decision.kind !== 'append') throw new Error('expected an append');
      events.push(decision.event);
      state = evolveAccount(state, decision.event);
    }
    const folded = foldAccount(start, events);
    expect(folded).toEqual(state);
    expect(start).toMatchObject({ balance: 100, outcomes: new Map() });
  });
});
