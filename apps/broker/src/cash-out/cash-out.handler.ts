import { Inject, Injectable } from '@nestjs/common';
import { CHAIN } from '#chain';
import type { EventStore } from '#event-store';
import { FINAL_REFUND_DECLINES } from '#events';
import { CLOCK, type Clock } from '#platform';
import type { PaymentGateway } from '../bank/payment-gateway.port.js';
import { askBank } from '../bank/ask-bank.js';
import { BrokerConfig } from '../broker.config.js';
import { brokerError, chainRefusal } from '../shared/broker-errors.js';
import { BrokerKeyRing } from '../keys/broker-key-ring.js';
import { closeAtIndex } from '../shared/close-and-refund.js';
import { loadChain } from '../shared/chain-stream.js';
import { loadCustomer } from '../customer/customer.state.js';
import { EVENT_STORE, PAYMENT_GATEWAY } from '../shared/tokens.js';
import { refuseExpired } from '../expiry/expired-chain.js';
import { WalletProjection } from '../wallet-view/wallet.projection.js';
import { CustomerStandings } from '../customer/customer-standings.js';
import { CASH_OUT, RefundPayment, type RefundAccount } from './refund-payment.js';

export { CASH_OUT, type RefundAccount } from './refund-payment.js';

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
 *    only what is missing, and answers the same; without a retry, the `RefundSweeper` finishes it.
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
    private readonly refunds: RefundPayment,
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
    const paid = await this.refunds.pay({ customerId, chainId, amount, currency, at }, refundTo);
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
    await this.refunds.refuseAccount(refundTo, currency);
  }
}
