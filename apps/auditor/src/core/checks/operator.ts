import type { RecordedEvent } from '#event-store';
import type { EventRef, Reporter } from '../findings.js';
import type { Ledger } from '../ledger/ledger.js';
import { currency, id, int, MalformedData, object, oneOf, text } from '../parse/schema.js';
import { RULES } from '../rules.js';
import type { CheckContext } from './context.js';

/**
 * Mobile-NetPay: the operator's billing ledger (`opaccount-<id>`, written by the broker acting
 * as the Service Provider; `apps/broker/src/operator`). The auditor replays it like a bank's
 * ledger: every booked charge is a bank booking for R4's cross-check (each purchase paid by a
 * subscriber must be a charge of the same amount under its payment reference, and each charge a
 * purchase), and the operator's own rules hold:
 * - a prepaid account never spends more than it was opened and topped up with;
 * - a postpaid bill never collects more than the account's spending cap in one period;
 * - one idempotency key is booked at most once on an account;
 * - no charge or top-up on an account the ledger never opened.
 */
export const OPERATOR_CATEGORY = 'opaccount';

export interface OperatorBook {
  plan: 'prepaid' | 'postpaid';
  currency: string;
  balance: number;
  spendingCap: number;
  readonly bills: Map<string, number>;
  readonly bookedKeys: Set<string>;
}

/** The operator's figures: what it took from subscribers, to compare with the coins issued to them. */
export interface OperatorFigures {
  charged: Map<string, number>;
  toppedUp: Map<string, number>;
}

export function onOperatorEvent(ctx: CheckContext, recorded: RecordedEvent): void {
  try {
    apply(ctx, recorded);
  } catch (error) {
    if (!(error instanceof MalformedData)) throw error;
    ctx.report.violation(RULES.MALFORMED_EVENT, `${recorded.type}: ${error.message}`);
  }
}

function apply(ctx: CheckContext, recorded: RecordedEvent): void {
  const books = ctx.ledger.operatorAccounts;
  const f = object(recorded.data);
  switch (recorded.type) {
    case 'SubscriberAccountOpened': {
      const accountId = id(f, 'accountId');
      const plan = oneOf(f, 'plan', ['prepaid', 'postpaid'] as const);
      books.set(accountId, {
        plan,
        currency: currency(f, 'currency'),
        balance: plan === 'prepaid' ? int(f, 'openingBalance', 0) : 0,
        spendingCap: int(f, 'spendingCap', 0),
        bills: new Map(),
        bookedKeys: new Set(),
      });
      return;
    }
    case 'SubscriberToppedUp': {
      const book = bookOf(ctx, id(f, 'accountId'));
      if (book) book.balance += int(f, 'amount', 1);
      return;
    }
    case 'OperatorChargeBooked': {
      const accountId = id(f, 'accountId');
      const amount = int(f, 'amount', 1);
      const paymentRef = text(f, 'paymentRef');
      const key = text(f, 'idempotencyKey');
      const period = text(f, 'billPeriod');
      const at: EventRef = {
        position: recorded.position,
        stream: recorded.streamName,
        revision: recorded.revision,
        eventType: recorded.type,
        eventId: recorded.id,
      };
      ctx.ledger.operatorBookings.set(paymentRef, {
        direction: 'debit',
        amount,
        currency: currency(f, 'currency'),
        at,
      });
      const book = bookOf(ctx, accountId);
      if (!book) return;
      if (book.bookedKeys.has(key)) {
        ctx.report.violation(
          RULES.OPERATOR_CHARGED_TWICE,
          `${accountId}: idempotency key ${key} booked twice`,
        );
      }
      book.bookedKeys.add(key);
      if (book.plan === 'prepaid') {
        book.balance -= amount;
        if (book.balance < 0) {
          ctx.report.violation(
            RULES.OPERATOR_PREPAID_OVERDRAWN,
            `${accountId}: a charge of ${amount} took the prepaid balance to ${book.balance}`,
          );
        }
      } else {
        const bill = (book.bills.get(period) ?? 0) + amount;
        book.bills.set(period, bill);
        if (bill > book.spendingCap) {
          ctx.report.violation(
            RULES.OPERATOR_CAP_EXCEEDED,
            `${accountId}: the ${period} bill is ${bill}, over its spending cap of ${book.spendingCap}`,
          );
        }
      }
      return;
    }
    case 'OperatorChargeDeclined':
    case 'OperatorChargeVoided':
    case 'SubscriberAccountBarred':
      bookOf(ctx, id(f, 'accountId'));
      return;
    default:
      return;
  }
}

function bookOf(ctx: CheckContext, accountId: string): OperatorBook | undefined {
  const book = ctx.ledger.operatorAccounts.get(accountId);
  if (!book) {
    ctx.report.violation(
      RULES.OPERATOR_ACCOUNT_UNKNOWN,
      `${accountId}: ledger entry on an account never opened`,
    );
  }
  return book;
}

/** The operator's charges total, per currency, against the purchases NetPay recorded as paid by them. */
export function checkOperatorBalances(ledger: Ledger, reporter: Reporter): void {
  if (ledger.operatorAccounts.size === 0) return;
  const charged = new Map<string, number>();
  const issued = new Map<string, number>();
  for (const booking of ledger.operatorBookings.values()) {
    charged.set(booking.currency, (charged.get(booking.currency) ?? 0) + booking.amount);
  }
  for (const m of ledger.movements) {
    if (!m.paymentRef.startsWith('op_') || m.direction !== 'debit') continue;
    issued.set(m.currency, (issued.get(m.currency) ?? 0) + m.amount);
  }
  for (const cur of new Set([...charged.keys(), ...issued.keys()])) {
    const c = charged.get(cur) ?? 0;
    const i = issued.get(cur) ?? 0;
    if (c < i) {
      reporter.violation(
        RULES.OPERATOR_LEDGER_UNBALANCED,
        `coins worth ${i} ${cur} were issued on operator charges, but the operator booked only ${c} ${cur}`,
      );
    }
  }
}
