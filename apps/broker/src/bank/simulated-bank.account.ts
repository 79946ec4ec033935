import { createHash } from 'node:crypto';
import type { DeclineReason, PaymentRequest, PaymentResult, VoidResult } from './payment-gateway.port.js';
import type {
  BankEvent,
  BankPaymentBooked,
  BankPaymentDeclined,
  BankPaymentVoided,
} from './simulated-bank.events.js';

/** One account of the simulated bank, folded from its ledger stream. */
export type BankAccount =
  | { readonly status: 'unknown' }
  | {
      readonly status: 'open' | 'closed';
      readonly accountId: string;
      readonly currency: string;
      readonly balance: number;
      readonly maxCharge: number;
      /** SHA-256 (hex) of the mandate secret; undefined for accounts opened before mandates. */
      readonly mandateHash: string | undefined;
      /** idempotency key → what the bank answered and for which request. */
      readonly outcomes: ReadonlyMap<string, Outcome>;
    };

interface Outcome {
  readonly fingerprint: string;
  readonly result: PaymentResult;
}

export const unknownAccount: BankAccount = { status: 'unknown' };

export function evolveAccount(state: BankAccount, event: BankEvent): BankAccount {
  return foldAccount(state, [event]);
}

/**
 * Folds a run of ledger events onto an account. The outcomes map is copied once per call (not
 * once per event, which made loading a ledger quadratic in its payments); with `owned` the
 * caller promises nobody else holds `state`, and its map is updated in place, not copied.
 */
export function foldAccount(state: BankAccount, events: Iterable<BankEvent>, owned = false): BankAccount {
  let outcomes: Map<string, Outcome> | undefined;
  let next = state;
  for (const event of events) {
    if (event.type === 'BankAccountOpened') {
      const { accountId, currency, openingBalance, maxCharge, mandateHash } = event.data;
      outcomes = new Map();
      next = {
        status: 'open',
        accountId,
        currency,
        balance: openingBalance,
        maxCharge,
        mandateHash,
        outcomes,
      };
      continue;
    }
    if (next.status === 'unknown') continue;
    switch (event.type) {
      case 'BankPaymentBooked': {
        const d = event.data;
        outcomes ??= owned ? (next.outcomes as Map<string, Outcome>) : new Map(next.outcomes);
        outcomes.set(d.idempotencyKey, {
          fingerprint: fingerprintOf(d),
          result: { ok: true, paymentRef: d.paymentRef },
        });
        const balance = next.balance + (d.direction === 'credit' ? d.amount : -d.amount);
        next = { ...next, balance, outcomes };
        break;
      }
      case 'BankPaymentDeclined':
      case 'BankPaymentVoided': {
        const d = event.data;
        outcomes ??= owned ? (next.outcomes as Map<string, Outcome>) : new Map(next.outcomes);
        const reason =
          event.type === 'BankPaymentVoided' ? 'payment-voided' : (event.data.reason as DeclineReason);
        outcomes.set(d.idempotencyKey, {
          fingerprint: fingerprintOf(d),
          result: { ok: false, declined: true, reason, message: declineMessage(reason) },
        });
        next = { ...next, outcomes };
        break;
      }
      case 'BankAccountClosed':
        next = { ...next, status: 'closed' };
        break;
      default: {
        const unreachable: never = event;
        return unreachable;
      }
    }
  }
  return next;
}

export type PaymentDecision =
  | { readonly kind: 'replay'; readonly result: PaymentResult }
  | { readonly kind: 'decline-unrecorded'; readonly result: PaymentResult }
  | {
      readonly kind: 'append';
      readonly event: BankPaymentBooked | BankPaymentDeclined;
      readonly result: PaymentResult;
    };

/**
 * A bank's decision on one payment: a key seen before answers as before (the same request) or
 * is refused (another request under a used key); otherwise book or decline, and record either.
 */
export function decidePayment(
  state: BankAccount,
  direction: 'debit' | 'credit',
  request: PaymentRequest,
  at: string,
): PaymentDecision {
  if (state.status === 'unknown') return { kind: 'decline-unrecorded', result: decline('account-unknown') };
  const { account: accountId, amount, currency, idempotencyKey, reference } = request;
  const base = { accountId, direction, amount, currency, idempotencyKey, reference, at };
  const seen = state.outcomes.get(idempotencyKey);
  if (seen) {
    return seen.fingerprint === fingerprintOf(base)
      ? { kind: 'replay', result: seen.result }
      : { kind: 'decline-unrecorded', result: decline('idempotency-key-reused') };
  }
  const reason = refusal(state, direction, amount, currency);
  if (reason) {
    const event: BankPaymentDeclined = { type: 'BankPaymentDeclined', data: { ...base, reason } };
    return { kind: 'append', event, result: decline(reason) };
  }
  const paymentRef = `bank_${createHash('sha256').update(`${accountId}\u0000${idempotencyKey}`).digest('hex').slice(0, 24)}`;
  const event: BankPaymentBooked = { type: 'BankPaymentBooked', data: { ...base, paymentRef } };
  return { kind: 'append', event, result: { ok: true, paymentRef } };
}

export type VoidDecision =
  | { readonly kind: 'answer'; readonly result: VoidResult }
  | { readonly kind: 'append'; readonly event: BankPaymentVoided; readonly result: VoidResult };

/**
 * Voiding a debit's key: a key already seen answers its outcome (a void of another request under
 * it is `idempotency-key-reused`); an unseen key is voided, so the charge can never land later.
 */
export function decideVoid(state: BankAccount, request: PaymentRequest, at: string): VoidDecision {
  if (state.status === 'unknown')
    return { kind: 'answer', result: { status: 'declined', reason: 'account-unknown' } };
  const { account: accountId, amount, currency, idempotencyKey, reference } = request;
  const base = { accountId, direction: 'debit' as const, amount, currency, idempotencyKey, reference, at };
  const seen = state.outcomes.get(idempotencyKey);
  if (seen === undefined) {
    return { kind: 'append', event: { type: 'BankPaymentVoided', data: base }, result: { status: 'voided' } };
  }
  if (seen.fingerprint !== fingerprintOf(base)) {
    return { kind: 'answer', result: { status: 'declined', reason: 'idempotency-key-reused' } };
  }
  if (seen.result.ok)
    return { kind: 'answer', result: { status: 'booked', paymentRef: seen.result.paymentRef } };
  const reason = seen.result.reason;
  return {
    kind: 'answer',
    result: reason === 'payment-voided' ? { status: 'voided' } : { status: 'declined', reason },
  };
}

/** Why a credit to this account would be declined now, or undefined. */
export function creditRefusal(state: BankAccount, currency: string): DeclineReason | undefined {
  if (state.status === 'unknown') return 'account-unknown';
  return refusal(state, 'credit', 0, currency);
}

function refusal(
  state: Extract<BankAccount, { status: 'open' | 'closed' }>,
  direction: 'debit' | 'credit',
  amount: number,
  currency: string,
): DeclineReason | undefined {
  if (state.status === 'closed') return 'account-closed';
  if (currency !== state.currency) return 'currency-mismatch';
  if (direction === 'credit')
    return state.balance + amount > Number.MAX_SAFE_INTEGER ? 'balance-limit' : undefined;
  if (amount > state.maxCharge) return 'over-limit';
  if (amount > state.balance) return 'insufficient-funds';
  return undefined;
}

function fingerprintOf(d: {
  direction: string;
  amount: number;
  currency: string;
  reference: string;
}): string {
  return `${d.direction}:${d.amount}:${d.currency}:${d.reference}`;
}

const MESSAGES: Readonly<Record<DeclineReason, string>> = {
  'insufficient-funds': 'the account does not hold enough money',
  'account-unknown': 'the bank knows no such account',
  'account-closed': 'the account is closed',
  'over-limit': 'the amount is over the account’s limit for one charge',
  'currency-mismatch': 'the account is held in another currency',
  'balance-limit': 'the credit would take the balance past the largest amount the bank holds',
  'idempotency-key-reused': 'this idempotency key was used for another payment',
  'payment-voided': 'this payment was voided before it was charged',
  'prepaid-balance-insufficient': 'the prepaid balance is too low',
  'postpaid-cap-reached': 'the bill would go over its spending cap',
};

export function declineMessage(reason: DeclineReason): string {
  return MESSAGES[reason] ?? reason;
}

function decline(reason: DeclineReason): PaymentResult {
  return { ok: false, declined: true, reason, message: declineMessage(reason) };
}
