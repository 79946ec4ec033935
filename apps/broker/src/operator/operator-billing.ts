import { createHmac, type KeyObject } from 'node:crypto';
import { ConcurrencyError, type EventStore, type ExpectedRevision } from '#event-store';
import type { Clock } from '#platform';
import type {
  DeclineReason,
  MandateRequest,
  MandateResult,
  PaymentGateway,
  PaymentRequest,
  PaymentResult,
  VoidResult,
} from '../bank/payment-gateway.port.js';
import {
  billOf,
  decideCharge,
  decideVoid,
  foldOperatorAccount,
  type OperatorAccount,
  topUpFingerprint,
  unknownOperatorAccount,
} from './operator-account.js';
import {
  type BillingPlan,
  OPERATOR_EVENT_TYPES,
  type OperatorEvent,
  operatorStream,
  SUBSCRIBER_ACCOUNT,
} from './operator-billing.events.js';
import { appendLedgerEvent, PerKeyQueue } from '../shared/ledger-stream.js';

const OPERATOR_ACTOR = 'operator-billing';

/** How often a write that lost a race with another replica is decided again before giving up. */
const MAX_ATTEMPTS = 20;

export interface OpenSubscriberAccount {
  readonly msisdn: string;
  readonly plan: BillingPlan;
  readonly currency: string;
  /** Prepaid: opening balance. */
  readonly balance?: number;
  /** Postpaid: most one bill period may collect. */
  readonly spendingCap?: number;
}

export interface SubscriberAccountView {
  readonly accountId: string;
  readonly plan: BillingPlan;
  readonly currency: string;
  readonly status: 'active' | 'barred';
  /** Prepaid: what is left. */
  readonly balance?: number;
  /** Postpaid: the current bill. */
  readonly bill?: {
    readonly period: string;
    readonly charged: number;
    readonly spendingCap: number;
    readonly capLeft: number;
  };
  readonly toppedUp: number;
  readonly charged: number;
}

export type TopUpResult =
  | { readonly ok: true; readonly balance: number }
  | {
      readonly ok: false;
      readonly reason:
        | 'account-unknown'
        | 'not-prepaid'
        | 'currency-mismatch'
        | 'idempotency-key-reused'
        | 'account-closed'
        | 'over-limit';
    };

/**
 * The most a prepaid balance or a postpaid cap may hold, minor units (10^12: ten billion units of
 * any currency): far below 2^53, so every sum of balances, top-ups and bills stays exact.
 */
export const MAX_SUBSCRIBER_AMOUNT = 1_000_000_000_000;

/**
 * Mobile-NetPay's macro-payment: the operator's billing of its subscribers, behind the same
 * `PaymentGateway` port as the bank. A subscriber account (`sub_…`) is prepaid (top-ups, a
 * balance, declined with `prepaid-balance-insufficient` when short) or postpaid (charges go on the
 * bill of the month, declined with `postpaid-cap-reached` over the period's spending cap). Its
 * ledger is `opaccount-<id>` in the event store, written with optimistic concurrency (replicas
 * and concurrent charges leave exact balances); every charge is idempotent by key and its
 * decline recorded, so a retry answers as before and money moves at most once.
 *
 * Any other account (a web customer's bank account) and every payout go to `bank`: one broker
 * can serve web customers and mobile subscribers at once.
 */
export class OperatorBilling implements PaymentGateway {
  private readonly queue = new PerKeyQueue();

  constructor(
    private readonly store: EventStore,
    private readonly clock: Clock,
    private readonly bank: PaymentGateway,
    /** HMAC key of the MSISDN → account id pseudonym, imported once (see BrokerSecrets.subkeyObject). */
    private readonly pseudonymKey: KeyObject,
  ) {}

  /** The subscriber account id of an MSISDN (stable, reveals nothing without the key). */
  accountIdOf(msisdn: string): string {
    return `sub_${createHmac('sha256', this.pseudonymKey).update(`account\u0000${msisdn}`).digest('hex').slice(0, 24)}`;
  }

  /** Every payout goes to the bank, so the bank answers whether it would take one. */
  payoutRefusal(account: string, currency: string): Promise<DeclineReason | undefined> {
    return this.bank.payoutRefusal(account, currency);
  }

  /** Subscribers never show a mandate: the operator's own network authenticates them. */
  verifyMandate(request: MandateRequest): Promise<MandateResult> {
    return this.bank.verifyMandate(request);
  }

  payout(request: PaymentRequest): Promise<PaymentResult> {
    return this.bank.payout(request);
  }

  /**
   * A subscriber's charge whose answer was lost: its outcome when the ledger has one, otherwise
   * the key is voided (`OperatorChargeVoided`: a charge arriving later under it is declined), so
   * the purchase reconciler can settle the purchase. Idempotent: a voided key answers `voided`.
   */
  voidPayment(request: PaymentRequest): Promise<VoidResult> {
    if (!SUBSCRIBER_ACCOUNT.test(request.account)) return this.bank.voidPayment(request);
    return this.queue.run(request.account, async () => {
      for (let attempt = 1; ; attempt++) {
        const { state, revision } = await this.load(request.account);
        const decision = decideVoid(state, request, this.clock.now().toISOString());
        if (decision.kind === 'answer' || revision === undefined) return decision.result;
        if (await this.append(request.account, decision.event, revision, attempt >= MAX_ATTEMPTS)) {
          return decision.result;
        }
      }
    });
  }

  charge(request: PaymentRequest): Promise<PaymentResult> {
    if (!SUBSCRIBER_ACCOUNT.test(request.account)) return this.bank.charge(request);
    return this.queue.run(request.account, async () => {
      // Optimistic concurrency, kept by hand: re-read and decide again at once (docs/observability.md).
      for (let attempt = 1; ; attempt++) {
        const { state, revision } = await this.load(request.account);
        const decision = decideCharge(state, request, this.clock.now().toISOString());
        if (decision.kind === 'answer' || revision === undefined) return decision.result;
        if (await this.append(request.account, decision.event, revision, attempt >= MAX_ATTEMPTS)) {
          return decision.result;
        }
      }
    });
  }

  /** Opens the MSISDN's account; `false` when it exists (nothing changes). */
  open(open: OpenSubscriberAccount): Promise<{ accountId: string } | false> {
    const accountId = this.accountIdOf(open.msisdn);
    return this.queue.run(accountId, async () => {
      const event: OperatorEvent = {
        type: 'SubscriberAccountOpened',
        data: {
          accountId,
          plan: open.plan,
          currency: open.currency,
          openingBalance: open.plan === 'prepaid' ? (open.balance ?? 0) : 0,
          spendingCap: open.plan === 'postpaid' ? (open.spendingCap ?? 0) : 0,
          at: this.clock.now().toISOString(),
        },
      };
      return (await this.append(accountId, event, 'no_stream', false)) ? { accountId } : false;
    });
  }

  /** Puts money on a prepaid account, once per idempotency key. */
  topUp(accountId: string, amount: number, currency: string, idempotencyKey: string): Promise<TopUpResult> {
    return this.queue.run(accountId, async () => {
      // Optimistic concurrency, kept by hand: re-read and decide again at once (docs/observability.md).
      for (let attempt = 1; ; attempt++) {
        const { state, revision } = await this.load(accountId);
        if (state.status === 'unknown' || revision === undefined)
          return { ok: false, reason: 'account-unknown' };
        const reference = `topup-${idempotencyKey}`;
        const seen = state.topUps.get(idempotencyKey);
        if (seen !== undefined) {
          return seen === topUpFingerprint({ amount, currency, reference })
            ? { ok: true, balance: state.balance }
            : { ok: false, reason: 'idempotency-key-reused' };
        }
        if (state.status === 'barred') return { ok: false, reason: 'account-closed' };
        if (state.plan !== 'prepaid') return { ok: false, reason: 'not-prepaid' };
        if (state.currency !== currency) return { ok: false, reason: 'currency-mismatch' };
        if (state.balance + amount > MAX_SUBSCRIBER_AMOUNT) return { ok: false, reason: 'over-limit' };
        const event: OperatorEvent = {
          type: 'SubscriberToppedUp',
          data: {
            accountId,
            amount,
            currency,
            idempotencyKey,
            reference,
            at: this.clock.now().toISOString(),
          },
        };
        if (await this.append(accountId, event, revision, attempt >= MAX_ATTEMPTS)) {
          return { ok: true, balance: state.balance + amount };
        }
      }
    });
  }

  /** Bars the account (later charges are declined); `false` when it is not active. */
  bar(accountId: string): Promise<boolean> {
    return this.queue.run(accountId, async () => {
      // Optimistic concurrency, kept by hand: re-read and decide again at once (docs/observability.md).
      for (let attempt = 1; ; attempt++) {
        const { state, revision } = await this.load(accountId);
        if (state.status !== 'active' || revision === undefined) return false;
        const event: OperatorEvent = {
          type: 'SubscriberAccountBarred',
          data: { accountId, at: this.clock.now().toISOString() },
        };
        if (await this.append(accountId, event, revision, attempt >= MAX_ATTEMPTS)) return true;
      }
    });
  }

  async view(accountId: string): Promise<SubscriberAccountView | undefined> {
    const { state } = await this.load(accountId);
    if (state.status === 'unknown') return undefined;
    const { plan, currency, status, toppedUp, charged } = state;
    if (plan === 'prepaid')
      return { accountId, plan, currency, status, balance: state.balance, toppedUp, charged };
    const bill = billOf(state, this.clock.now().toISOString());
    return {
      accountId,
      plan,
      currency,
      status,
      bill: { ...bill, spendingCap: state.spendingCap },
      toppedUp,
      charged,
    };
  }

  /**
   * The account folded from its whole ledger, with the revision to append after. A charge is a
   * macro-payment (a few per subscriber per month), so reading the ledger each time is cheap.
   */
  private async load(accountId: string): Promise<{ state: OperatorAccount; revision: number | undefined }> {
    if (!SUBSCRIBER_ACCOUNT.test(accountId)) return { state: unknownOperatorAccount, revision: undefined };
    const recorded = await this.store.readStream(operatorStream(accountId));
    const events = recorded.flatMap((r) =>
      OPERATOR_EVENT_TYPES.has(r.type) ? [{ type: r.type, data: r.data } as OperatorEvent] : [],
    );
    return {
      state: foldOperatorAccount(unknownOperatorAccount, events),
      revision: recorded.at(-1)?.revision,
    };
  }

  /** Appends one ledger event; `false` when another writer went first (unless `last`: then it throws). */
  private async append(
    accountId: string,
    event: OperatorEvent,
    expectedRevision: ExpectedRevision,
    last: boolean,
  ): Promise<boolean> {
    try {
      await appendLedgerEvent(this.store, operatorStream(accountId), event, OPERATOR_ACTOR, expectedRevision);
      return true;
    } catch (error) {
      if (error instanceof ConcurrencyError && !last) return false;
      throw error;
    }
  }
}
