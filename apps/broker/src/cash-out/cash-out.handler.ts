import { Inject, Injectable } from '@nestjs/common';
import { CHAIN } from '#chain';
import type { EventStore } from '#event-store';
import {
  type CoinsRefunded,
  deterministicEventId,
  FINAL_REFUND_DECLINES,
  type RefundAccountChosen,
  type RefundDeclined,
  streams,
} from '#events';
import { CLOCK, type Clock } from '#platform';
import type { PaymentGateway } from '../bank/payment-gateway.port.js';
import { askBank, proveAccountControl } from '../bank/ask-bank.js';
import { BrokerConfig } from '../broker.config.js';
import { brokerError, chainRefusal } from '../shared/broker-errors.js';
import { BrokerKeyRing } from '../keys/broker-key-ring.js';
import { closeAtIndex, refundUnspent } from '../shared/close-and-refund.js';
import { loadChain } from '../shared/chain-stream.js';
import { loadCustomer } from '../customer/customer.state.js';
import { readDecoded, runCommand } from '../shared/command.js';
import { customerMetadata } from '../shared/metadata.js';
import { EVENT_STORE, PAYMENT_GATEWAY } from '../shared/tokens.js';
import { refuseExpired } from '../expiry/expired-chain.js';
import { WalletProjection } from '../wallet-view/wallet.projection.js';
import { CustomerStandings } from '../customer/customer-standings.js';
import { declinedForGood, evolveRefund, noRefund, refundTarget, type RefundState } from './refund-state.js';

/** Stable codes of a cash-out. */
export const CASH_OUT = {
  /**
   * The bank refuses (or would refuse) the refund (account closed, …): asked before the close, so
   * the chain stays open; refused after it (the account closed in between), the value is owed
   * (`RefundDeclined`). After a refusal for good, a cash-out naming another account of the
   * customer's pays it there; after a passing one, a later cash-out tries again.
   */
  BANK_DECLINED: 'CASHOUT.BANK_DECLINED',
  /**
   * Another account was named for the refund before the close while the registered one takes it:
   * a refund moves to another account only when the bank declines it for good where it was going.
   */
  REFUND_ACCOUNT_NOT_NEEDED: 'CASHOUT.REFUND_ACCOUNT_NOT_NEEDED',
} as const;

/** Another account of the customer's for the refund, with the mandate their bank issued for it. */
export interface RefundAccount {
  readonly bankAccount: string;
  readonly bankMandate: string;
}

export interface CashOutAnswer {
  readonly chainId: string;
  /** I at the close: positions below it were spent and are still redeemed to their vendors. */
  readonly closedAtIndex: number;
  /** Coins not spent, refunded: length − I + 1. */
  readonly coins: number;
  /** coins × coin value, integer minor units, credited to the customer's bank account. */
  readonly amount: number;
  readonly currency: string;
  /** The bank's reference of the refund (absent when nothing was left to refund). */
  readonly paymentRef?: string;
  /** The account the refund was paid to (absent when nothing was left to refund). */
  readonly refundedTo?: string;
}

/** Rounds of a refund: each pays, or follows one move of it to another account. */
const REFUND_ROUNDS = 4;

export { refundKey } from '../shared/close-and-refund.js';

/**
 * Cash-out: the customer closes a chain and gets its unspent value back to their bank account, once.
 * 1. the chain must be the customer's (client- or server-side), not revoked and not expired (an
 *    expired chain is the expiry policy's to settle: `CHAIN.EXPIRED`, see `refuseExpired`);
 * 2. it is closed at its true index: `ChainClosed {reason: cashed-out}` is appended with the
 *    chain stream's expected revision, exactly as a claim takes a chain from a holder that is
 *    down. Every spend a vendor acknowledged is already in the stream below that index (a spend is
 *    appended before it is answered), so it is still redeemed to its vendor; a vendor's later
 *    append meets the new revision, reloads and finds the chain closed (`CHAIN.CLOSED`): nothing
 *    spent after the close is accepted, whether the holder is up or down;
 * 3. the unspent coins are refunded through the payment gateway with a key derived from the chain
 *    (`refund_<chainId>`: the bank moves the money at most once), then recorded as `CoinsRefunded`
 *    in the customer's stream under a deterministic id. A retry after a crash anywhere repeats
 *    only what is missing, and answers the same.
 */
@Injectable()
export class CashOutHandler {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly customers: CustomerStandings,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(PAYMENT_GATEWAY) private readonly gateway: PaymentGateway,
    private readonly projection: WalletProjection,
    private readonly ring: BrokerKeyRing,
    private readonly config: BrokerConfig,
  ) {}

  async execute(customerId: string, chainId: string, refundTo?: RefundAccount): Promise<CashOutAnswer> {
    await this.projection.waitFor();
    // Someone else's chain answers like a missing one: no probing of other customers' chains.
    if (this.projection.model.ownerOf(chainId) !== customerId) {
      throw chainRefusal({ code: CHAIN.NOT_FOUND, message: `no chain ${chainId} in your wallet` });
    }
    await this.customers.assertNotRevoked(customerId);
    await this.refuseBeforeClose(customerId, chainId, this.clock.now(), refundTo);
    // Read after the bank's answer: the close's expiry check and its time are the close's own.
    const now = this.clock.now();
    const at = now.toISOString();
    const closed = await closeAtIndex(this.store, this.ring, chainId, 'cashed-out', at, (state) =>
      refuseExpired(state, now, this.config.expiryPolicy),
    );
    const { coins, amount } = closed;
    const currency = closed.touchstone.currency;
    const base = { chainId, closedAtIndex: closed.index, coins, amount, currency };
    if (amount === 0) return base;
    const paid = await this.payRefund({ customerId, chainId, amount, currency, at }, refundTo);
    return { ...base, paymentRef: paid.paymentRef, refundedTo: paid.account };
  }

  /**
   * Before the chain is closed (a close cannot be undone): would the bank decline the refund? It
   * goes to the customer's registered account, or to `refundTo` when the bank would decline it
   * there for good (`FINAL_REFUND_DECLINES`). Refused with the chain left open: the account it would go to
   * declines (`402 CASHOUT.BANK_DECLINED`), `refundTo`'s mandate is not confirmed (`403`), or
   * `refundTo` is named while the registered account takes refunds (`409
   * CASHOUT.REFUND_ACCOUNT_NOT_NEEDED`). A retry after the close goes on to the refund.
   */
  private async refuseBeforeClose(
    customerId: string,
    chainId: string,
    now: Date,
    refundTo: RefundAccount | undefined,
  ): Promise<void> {
    const chain = await loadChain(this.store, this.ring, chainId);
    // Closed, revoked or expired: the close's own refusal (or a retry's refund) answers, not the bank.
    if (chain.status !== 'open' || refuseExpired(chain, now, this.config.expiryPolicy)) return;
    // Nothing left to refund: the close needs no payout.
    if (chain.index > chain.touchstone.length) return;
    const customer = await loadCustomer(this.store, customerId);
    if (customer.status !== 'registered') return;
    const { currency } = chain.touchstone;
    const declined = await askBank(() => this.gateway.payoutRefusal(customer.bankAccount, currency));
    if (declined === undefined) {
      if (refundTo === undefined || refundTo.bankAccount === customer.bankAccount) return;
      throw brokerError(
        CASH_OUT.REFUND_ACCOUNT_NOT_NEEDED,
        `your account ${customer.bankAccount} takes the refund: it goes to another account only when the bank declines it there`,
        409,
      );
    }
    if (refundTo === undefined || !FINAL_REFUND_DECLINES.has(declined)) {
      throw brokerError(
        CASH_OUT.BANK_DECLINED,
        `the bank would refuse the refund to account ${customer.bankAccount}: ${declined}` +
          (FINAL_REFUND_DECLINES.has(declined)
            ? '; name another account of yours (refundAccount, refundMandate)'
            : ''),
        402,
        { reason: declined },
      );
    }
    await this.refuseAccount(refundTo, currency);
  }

  /** `refundTo` must be the caller's (its mandate confirmed) and take the refund: else 403 or 402. */
  private async refuseAccount(refundTo: RefundAccount, currency: string, owed?: number): Promise<void> {
    await proveAccountControl(this.gateway, refundTo.bankAccount, refundTo.bankMandate);
    const there = await askBank(() => this.gateway.payoutRefusal(refundTo.bankAccount, currency));
    if (there === undefined) return;
    throw brokerError(
      CASH_OUT.BANK_DECLINED,
      `the bank would refuse the refund to account ${refundTo.bankAccount}: ${there}`,
      402,
      { reason: there, ...(owed === undefined ? {} : { refundOwed: owed }) },
    );
  }

  /**
   * Pays the closed chain's refund, once, to where it goes now, under the chain's one refund key.
   * A decline is recorded (`RefundDeclined`: the value is owed). When it is final there
   * (`FINAL_REFUND_DECLINES`: the bank declines it under that key ever after, so nothing can be paid
   * there later) and the customer named another account of theirs that takes it, the refund moves
   * there (`RefundAccountChosen`, appended on the customer's stream against the account it was
   * going to, so two requests never move it twice) and is paid there: at most one account is ever
   * paid. Each round pays, or follows one move (this request's or a concurrent one's).
   */
  private async payRefund(
    owed: { customerId: string; chainId: string; amount: number; currency: string; at: string },
    refundTo: RefundAccount | undefined,
  ): Promise<{ paymentRef: string; account: string }> {
    const { customerId, chainId, amount, currency } = owed;
    for (let round = 1; ; round++) {
      const state = await this.refundState(customerId, chainId);
      const account = refundTarget(state);
      if (account === undefined) {
        throw chainRefusal({ code: CHAIN.NOT_FOUND, message: `no chain ${chainId} in your wallet` });
      }
      if (state.refunded !== undefined) return { paymentRef: state.refunded.paymentRef, account };
      const paid = await askBank(() => refundUnspent(this.gateway, { ...owed, account }));
      if (paid.ok) {
        await this.record(customerId, { ...owed, bankAccount: account, paymentRef: paid.paymentRef });
        return { paymentRef: paid.paymentRef, account };
      }
      await this.recordDecline({ ...owed, bankAccount: account, reason: paid.reason });
      const final = FINAL_REFUND_DECLINES.has(paid.reason);
      const to = refundTo?.bankAccount;
      if (final && refundTo && to !== account && !state.declined.has(to!) && round < REFUND_ROUNDS) {
        await this.refuseAccount(refundTo, currency, amount);
        if (await this.moveRefund(owed, account, refundTo.bankAccount)) continue;
      }
      // Another request may have paid it, or moved it (then pay it there).
      const now = await this.refundState(customerId, chainId);
      if (now.refunded !== undefined)
        return { paymentRef: now.refunded.paymentRef, account: refundTarget(now)! };
      if (refundTarget(now) !== account && round < REFUND_ROUNDS) continue;
      throw brokerError(
        CASH_OUT.BANK_DECLINED,
        `the bank refused the refund to account ${account}: ${paid.reason}; the ${amount} ${currency} are owed to you` +
          (final
            ? ': cash out again naming another account of yours (refundAccount, refundMandate)'
            : ': cash out again later'),
        402,
        { reason: paid.reason, refundOwed: amount },
      );
    }
  }

  private async refundState(customerId: string, chainId: string): Promise<RefundState> {
    const events = await readDecoded(this.store, streams.customer(customerId));
    return events.reduce(evolveRefund(chainId), noRefund());
  }

  /** Records the bank's decline at `bankAccount`, once per chain, account and reason. */
  private async recordDecline(data: RefundDeclined['data']): Promise<void> {
    await runCommand(this.store, {
      stream: streams.customer(data.customerId),
      initial: noRefund(),
      evolve: evolveRefund(data.chainId),
      decide: (state) => {
        const event: RefundDeclined = { type: 'RefundDeclined', version: 1, data };
        const known = state.declined.get(data.bankAccount)?.has(data.reason) ?? false;
        return { events: known ? [] : [event], result: undefined };
      },
      metadata: customerMetadata(data.customerId),
      // One per account and reason: a final decline after a passing one is recorded too.
      eventId: () => deterministicEventId('RefundDeclined', data.chainId, data.bankAccount, data.reason),
    });
  }

  /**
   * Moves the chain's refund from `from` (declined there, recorded) to `to`: false when it no
   * longer goes to `from` (another request moved it first) or was paid meanwhile.
   */
  private async moveRefund(
    refund: { customerId: string; chainId: string; at: string },
    from: string,
    to: string,
  ): Promise<boolean> {
    const { customerId, chainId, at } = refund;
    const { result } = await runCommand(this.store, {
      stream: streams.customer(customerId),
      initial: noRefund(),
      evolve: evolveRefund(chainId),
      decide: (state) => {
        const going = refundTarget(state);
        if (going === to && state.chosen === to) return { events: [], result: true };
        if (going !== from || !declinedForGood(state, from) || state.refunded !== undefined) {
          return { events: [], result: false };
        }
        const event: RefundAccountChosen = {
          type: 'RefundAccountChosen',
          version: 1,
          data: { customerId, chainId, bankAccount: to, at },
        };
        return { events: [event], result: true };
      },
      metadata: customerMetadata(customerId),
      eventId: () => deterministicEventId('RefundAccountChosen', chainId, from, to),
    });
    return result;
  }

  private async record(customerId: string, data: CoinsRefunded['data']): Promise<void> {
    await runCommand(this.store, {
      stream: streams.customer(customerId),
      // Folds to "this chain's refund is recorded": then nothing is appended again.
      initial: false,
      evolve: (done: boolean, e) => done || (e.type === 'CoinsRefunded' && e.data.chainId === data.chainId),
      decide: (done) => {
        const event: CoinsRefunded = { type: 'CoinsRefunded', version: 1, data };
        return { events: done ? [] : [event], result: undefined };
      },
      metadata: customerMetadata(customerId),
      // The same chain's refund is the same event: a second append is a duplicate.
      eventId: () => deterministicEventId('CoinsRefunded', data.chainId),
    });
  }
}
