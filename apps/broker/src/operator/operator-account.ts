import { createHash } from 'node:crypto';
import type {
  DeclineReason,
  PaymentRequest,
  PaymentResult,
  VoidResult,
} from '../bank/payment-gateway.port.js';
import {
  billPeriodOf,
  type BillingPlan,
  type OperatorChargeBooked,
  type OperatorChargeDeclined,
  type OperatorChargeVoided,
  type OperatorEvent,
  type SubscriberToppedUp,
} from './operator-billing.events.js';

interface Outcome {
  readonly fingerprint: string;
  readonly result: PaymentResult;
}

/** One subscriber account of the operator, folded from its ledger stream. */
export type OperatorAccount =
  | { readonly status: 'unknown' }
  | {
      readonly status: 'active' | 'barred';
      readonly accountId: string;
      readonly plan: BillingPlan;
      readonly currency: string;
      /** Prepaid: what is left to spend. Postpaid: 0. */
      readonly balance: number;
      readonly spendingCap: number;
      /** Postpaid: bill period → charges on that bill. */
      readonly bills: ReadonlyMap<string, number>;
      readonly toppedUp: number;
      readonly charged: number;
      /** Idempotency key → answer (charges), fingerprint (top-ups). */
      readonly outcomes: ReadonlyMap<string, Outcome>;
      readonly topUps: ReadonlyMap<string, string>;
    };

export const unknownOperatorAccount: OperatorAccount = { status: 'unknown' };

export function foldOperatorAccount(
  state: OperatorAccount,
  events: Iterable<OperatorEvent>,
): OperatorAccount {
  let next = state;
  for (const event of events) {
    if (event.type === 'SubscriberAccountOpened') {
      const d = event.data;
      next = {
        status: 'active',
        accountId: d.accountId,
        plan: d.plan,
        currency: d.currency,
        balance: d.plan === 'prepaid' ? d.openingBalance : 0,
        spendingCap: d.spendingCap,
        bills: new Map(),
        toppedUp: 0,
        charged: 0,
        outcomes: new Map(),
        topUps: new Map(),
      };
      continue;
    }
    if (next.status === 'unknown') continue;
    switch (event.type) {
      case 'SubscriberToppedUp': {
        const d = event.data;
        const topUps = new Map(next.topUps).set(d.idempotencyKey, topUpFingerprint(d));
        next = { ...next, balance: next.balance + d.amount, toppedUp: next.toppedUp + d.amount, topUps };
        break;
      }
      case 'OperatorChargeBooked': {
        const d = event.data;
        const outcomes = new Map(next.outcomes).set(d.idempotencyKey, {
          fingerprint: fingerprintOf(d),
          result: { ok: true, paymentRef: d.paymentRef },
        });
        const bills = new Map(next.bills);
        if (d.plan === 'postpaid') bills.set(d.billPeriod, (bills.get(d.billPeriod) ?? 0) + d.amount);
        const balance = d.plan === 'prepaid' ? next.balance - d.amount : next.balance;
        next = { ...next, balance, bills, charged: next.charged + d.amount, outcomes };
        break;
      }
      case 'OperatorChargeDeclined': {
        const d = event.data;
        const reason = d.reason as DeclineReason;
        const outcomes = new Map(next.outcomes).set(d.idempotencyKey, {
          fingerprint: fingerprintOf(d),
          result: { ok: false, declined: true, reason, message: operatorDeclineMessage(reason) },
        });
        next = { ...next, outcomes };
        break;
      }
      case 'OperatorChargeVoided': {
        const d = event.data;
        const outcomes = new Map(next.outcomes).set(d.idempotencyKey, {
          fingerprint: fingerprintOf(d),
          result: decline('payment-voided'),
        });
        next = { ...next, outcomes };
        break;
      }
      case 'SubscriberAccountBarred':
        next = { ...next, status: 'barred' };
        break;
      default: {
        const unreachable: never = event;
        return unreachable;
      }
    }
  }
  return next;
}

export type ChargeDecision =
  | { readonly kind: 'answer'; readonly result: PaymentResult }
  | {
      readonly kind: 'append';
      readonly event: OperatorChargeBooked | OperatorChargeDeclined;
      readonly result: PaymentResult;
    };

/**
 * The operator's decision on a charge: a key seen before answers as before (same request) or is
 * refused (another request under it); otherwise book it — from the prepaid balance, or onto the
 * postpaid bill of the current period — or decline it with a reason, and record either.
 */
export function decideCharge(state: OperatorAccount, request: PaymentRequest, at: string): ChargeDecision {
  if (state.status === 'unknown') return { kind: 'answer', result: decline('account-unknown') };
  const { account: accountId, amount, currency, idempotencyKey, reference } = request;
  const billPeriod = billPeriodOf(at);
  const base = { accountId, plan: state.plan, amount, currency, idempotencyKey, reference, billPeriod, at };
  const seen = state.outcomes.get(idempotencyKey);
  if (seen) {
    return seen.fingerprint === fingerprintOf(base)
      ? { kind: 'answer', result: seen.result }
      : { kind: 'answer', result: decline('idempotency-key-reused') };
  }
  const reason = refusal(state, amount, currency, billPeriod);
  if (reason) {
    const event: OperatorChargeDeclined = { type: 'OperatorChargeDeclined', data: { ...base, reason } };
    return { kind: 'append', event, result: decline(reason) };
  }
  const paymentRef = `op_${createHash('sha256').update(`${accountId}\u0000${idempotencyKey}`).digest('hex').slice(0, 24)}`;
  const event: OperatorChargeBooked = { type: 'OperatorChargeBooked', data: { ...base, paymentRef } };
  return { kind: 'append', event, result: { ok: true, paymentRef } };
}

export type VoidDecision =
  | { readonly kind: 'answer'; readonly result: VoidResult }
  | { readonly kind: 'append'; readonly event: OperatorChargeVoided; readonly result: VoidResult };

/**
 * Settles a charge whose answer was lost, by its key: the outcome the ledger has for it (booked or
 * declined), or — none — the key is voided (recorded, so a charge arriving later under it is
 * declined `payment-voided` and nothing is ever charged). A key used for another charge is refused.
 */
export function decideVoid(state: OperatorAccount, request: PaymentRequest, at: string): VoidDecision {
  if (state.status === 'unknown')
    return { kind: 'answer', result: { status: 'declined', reason: 'account-unknown' } };
  const { account: accountId, amount, currency, idempotencyKey, reference } = request;
  const base = { accountId, plan: state.plan, amount, currency, idempotencyKey, reference, at };
  const seen = state.outcomes.get(idempotencyKey);
  if (seen === undefined) {
    return {
      kind: 'append',
      event: { type: 'OperatorChargeVoided', data: base },
      result: { status: 'voided' },
    };
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

function refusal(
  state: Extract<OperatorAccount, { status: 'active' | 'barred' }>,
  amount: number,
  currency: string,
  billPeriod: string,
): DeclineReason | undefined {
  if (state.status === 'barred') return 'account-closed';
  if (currency !== state.currency) return 'currency-mismatch';
  if (state.plan === 'prepaid') return amount > state.balance ? 'prepaid-balance-insufficient' : undefined;
  return (state.bills.get(billPeriod) ?? 0) + amount > state.spendingCap ? 'postpaid-cap-reached' : undefined;
}

/** What the account owes or holds now: the prepaid balance, or the current period's bill. */
export function billOf(
  state: Extract<OperatorAccount, { status: 'active' | 'barred' }>,
  at: string,
): { readonly period: string; readonly charged: number; readonly capLeft: number } {
  const period = billPeriodOf(at);
  const charged = state.bills.get(period) ?? 0;
  return { period, charged, capLeft: Math.max(0, state.spendingCap - charged) };
}

function fingerprintOf(d: { amount: number; currency: string; reference: string }): string {
  return `debit:${d.amount}:${d.currency}:${d.reference}`;
}

export function topUpFingerprint(
  d: Pick<SubscriberToppedUp['data'], 'amount' | 'currency' | 'reference'>,
): string {
  return `topup:${d.amount}:${d.currency}:${d.reference}`;
}

const MESSAGES: Partial<Record<DeclineReason, string>> = {
  'prepaid-balance-insufficient': 'the prepaid balance is too low: top up, then buy again',
  'postpaid-cap-reached': 'this would take the bill over its spending cap for the period',
  'account-unknown': 'the operator knows no such subscriber account',
  'account-closed': 'the subscriber account is barred',
  'currency-mismatch': 'the subscriber account is held in another currency',
  'idempotency-key-reused': 'this idempotency key was used for another charge',
};

export function operatorDeclineMessage(reason: DeclineReason): string {
  return MESSAGES[reason] ?? reason;
}

function decline(reason: DeclineReason): PaymentResult {
  return { ok: false, declined: true, reason, message: operatorDeclineMessage(reason) };
}
