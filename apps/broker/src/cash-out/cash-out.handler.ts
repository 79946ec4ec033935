import { Inject, Injectable } from '@nestjs/common';
import { CHAIN } from '#chain';
import type { EventStore } from '#event-store';
import { type CoinsRefunded, deterministicEventId, streams } from '#events';
import { CLOCK, type Clock } from '#platform';
import type { PaymentGateway } from '../bank/payment-gateway.port.js';
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

/** Stable codes of a cash-out. */
export const CASH_OUT = {
  /**
   * The bank refuses (or would refuse) the refund (account closed, …): asked before the close, so
   * the chain stays open; refused after it (the account closed in between), the value is owed.
   */
  BANK_DECLINED: 'CASHOUT.BANK_DECLINED',
} as const;

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

  async execute(customerId: string, chainId: string): Promise<CashOutAnswer> {
    await this.projection.waitFor();
    // Someone else's chain answers like a missing one: no probing of other customers' chains.
    if (this.projection.model.ownerOf(chainId) !== customerId) {
      throw chainRefusal({ code: CHAIN.NOT_FOUND, message: `no chain ${chainId} in your wallet` });
    }
    await this.customers.assertNotRevoked(customerId);
    const declined = await this.refundRefusal(customerId, chainId, this.clock.now());
    if (declined !== undefined) {
      throw brokerError(CASH_OUT.BANK_DECLINED, `the bank would refuse the refund: ${declined}`, 402, {
        reason: declined,
      });
    }
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
    const recorded = await this.recordedRefund(customerId, chainId);
    if (recorded !== undefined) return { ...base, paymentRef: recorded.paymentRef };
    const paid = await refundUnspent(this.store, this.gateway, { customerId, chainId, amount, currency });
    if (!paid.ok && paid.why === 'no-customer') {
      throw chainRefusal({ code: CHAIN.NOT_FOUND, message: `no chain ${chainId} in your wallet` });
    }
    if (!paid.ok) {
      throw brokerError(CASH_OUT.BANK_DECLINED, `the bank refused the refund: ${paid.reason}`, 402, {
        reason: paid.reason,
      });
    }
    await this.record(customerId, {
      customerId,
      chainId,
      amount,
      currency,
      paymentRef: paid.paymentRef,
      at,
    });
    return { ...base, paymentRef: paid.paymentRef };
  }

  /**
   * Why the bank would decline this chain's refund now (the customer's account was closed since
   * they registered), asked before the chain is closed: a close cannot be undone, and one whose
   * refund the bank then refused left the value in a closed chain, neither spendable, re-issuable
   * nor refunded. The chain stays open instead. A retry after the close goes on to the refund.
   */
  private async refundRefusal(customerId: string, chainId: string, now: Date): Promise<string | undefined> {
    const chain = await loadChain(this.store, this.ring, chainId);
    // Closed, revoked or expired: the close's own refusal (or a retry's refund) answers, not the bank.
    if (chain.status !== 'open' || refuseExpired(chain, now, this.config.expiryPolicy)) return undefined;
    // Nothing left to refund: the close needs no payout.
    if (chain.index > chain.touchstone.length) return undefined;
    const customer = await loadCustomer(this.store, customerId);
    if (customer.status !== 'registered') return undefined;
    return this.gateway.payoutRefusal(customer.bankAccount, chain.touchstone.currency);
  }

  private async recordedRefund(
    customerId: string,
    chainId: string,
  ): Promise<CoinsRefunded['data'] | undefined> {
    const events = await readDecoded(this.store, streams.customer(customerId));
    for (const e of events) if (e.type === 'CoinsRefunded' && e.data.chainId === chainId) return e.data;
    return undefined;
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
