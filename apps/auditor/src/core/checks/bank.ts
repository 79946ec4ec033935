import type { RecordedEvent } from '#event-store';
import type { EventRef, Reporter } from '../findings.js';
import type { Ledger } from '../ledger/ledger.js';
import { currency, int, MalformedData, object, oneOf, text } from '../parse/schema.js';
import { RULES, WARNINGS } from '../rules.js';
import type { CheckContext } from './context.js';

/**
 * The simulated bank keeps its own ledger in the same store (`bankaccount-<id>`,
 * not NetPay events). When it is there, it is outside evidence for R4: every
 * payment NetPay records (a purchase charged, a vendor paid, a refund) must be
 * a booking of the bank with the same reference, direction and amount.
 */
export const BANK_CATEGORY = 'bankaccount';

export interface BankBooking {
  readonly direction: 'debit' | 'credit';
  readonly amount: number;
  readonly currency: string;
  readonly at: EventRef;
}

/** A payment NetPay says it made, to be found in the bank's ledger. */
export interface MoneyMovement {
  readonly what: string;
  readonly paymentRef: string;
  readonly direction: 'debit' | 'credit';
  readonly amount: number;
  readonly currency: string;
  readonly at: EventRef;
  readonly chainId?: string;
}

export function recordMovement(ctx: CheckContext, movement: Omit<MoneyMovement, 'at'>): void {
  const { position, stream, revision, type, eventId } = ctx.at;
  ctx.ledger.movements.push({ ...movement, at: { position, stream, revision, eventType: type, eventId } });
}

export function onBankEvent(ctx: CheckContext, recorded: RecordedEvent): void {
  if (recorded.type !== 'BankPaymentBooked') return; // accounts opened, closed, declines: no money moved
  try {
    const f = object(recorded.data);
    const paymentRef = text(f, 'paymentRef');
    if (
      f.direction === 'credit' &&
      typeof f.idempotencyKey === 'string' &&
      f.idempotencyKey.startsWith('refund_')
    ) {
      const account = text(f, 'accountId');
      const earlier = ctx.ledger.refundBookings.get(f.idempotencyKey);
      if (earlier !== undefined && earlier !== account) {
        ctx.report.violation(
          RULES.REFUND_PAID_TWICE,
          `the bank booked the refund ${f.idempotencyKey} at two accounts: the chain's refund was paid twice`,
          typeof f.reference === 'string' ? f.reference : undefined,
        );
      } else ctx.ledger.refundBookings.set(f.idempotencyKey, account);
    }
    ctx.ledger.bankBookings.set(paymentRef, {
      direction: oneOf(f, 'direction', ['debit', 'credit'] as const),
      amount: int(f, 'amount', 0),
      currency: currency(f, 'currency'),
      at: {
        position: recorded.position,
        stream: recorded.streamName,
        revision: recorded.revision,
        eventType: recorded.type,
        eventId: recorded.id,
      },
    });
  } catch (error) {
    if (!(error instanceof MalformedData)) throw error;
    ctx.report.violation(RULES.MALFORMED_EVENT, `BankPaymentBooked: ${error.message}`);
  }
}

/** At the end of a complete replay, when the bank's ledger is in the store. */
export function checkAgainstBank(ledger: Ledger, reporterAt: (at: EventRef) => Reporter): void {
  const linked = new Set<string>();
  for (const m of ledger.movements) {
    linked.add(m.paymentRef);
    // Mobile-NetPay: a subscriber's payment is in the operator's ledger (checks/operator.ts).
    const books = m.paymentRef.startsWith('op_') ? ledger.operatorBookings : ledger.bankBookings;
    if (books.size === 0) continue;
    const booking = books.get(m.paymentRef);
    if (
      booking === undefined ||
      booking.direction !== m.direction ||
      booking.amount !== m.amount ||
      booking.currency !== m.currency
    ) {
      const found = booking ? `a ${booking.direction} of ${booking.amount} ${booking.currency}` : 'nothing';
      reporterAt(m.at).violation(
        RULES.PAYMENT_NOT_IN_BANK_LEDGER,
        `${m.what}: a ${m.direction} of ${m.amount} ${m.currency} under ${m.paymentRef}; the bank booked ${found}`,
        m.chainId,
      );
    }
  }
  for (const [paymentRef, booking] of [...ledger.bankBookings, ...ledger.operatorBookings]) {
    if (linked.has(paymentRef)) continue;
    // A purchase still in flight (charged, chains not yet recorded) looks like this too: a warning.
    reporterAt(booking.at).warning(
      WARNINGS.BANK_PAYMENT_NOT_RECORDED,
      `the bank booked a ${booking.direction} of ${booking.amount} ${booking.currency} (${paymentRef}) ` +
        'that no NetPay event records',
    );
  }
}
