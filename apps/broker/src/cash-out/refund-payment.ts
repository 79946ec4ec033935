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
import { brokerError, chainRefusal } from '../shared/broker-errors.js';
import { BrokerKeyRing } from '../keys/broker-key-ring.js';
import { refundUnspent } from '../shared/close-and-refund.js';
import { loadChain } from '../shared/chain-stream.js';
import { readDecoded, runCommand } from '../shared/command.js';
import { customerMetadata } from '../shared/metadata.js';
import { EVENT_STORE, PAYMENT_GATEWAY } from '../shared/tokens.js';
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

/** Rounds of a refund: each pays, or follows one move of it to another account. */
const REFUND_ROUNDS = 4;

/** What finishing a closed chain's refund came to. */
export type RefundFinish =
  | { readonly status: 'paid'; readonly paymentRef: string; readonly account: string }
  /** Already paid and recorded (by the customer's retry, or another replica's sweep). */
  | { readonly status: 'recorded' }
  /** Not the cash-out's to pay: not closed by a cash-out, nothing left to refund, no customer. */
  | { readonly status: 'none' }
  /** Declined for good where it goes: it waits for the customer to name another account. */
  | { readonly status: 'waits'; readonly account: string };

/**
 * A closed chain's refund (a cash-out's): paid once, to the customer's registered account or the
 * one they named after a final decline; a decline is recorded and the value owed. Used by the
 * cash-out and by the `RefundSweeper`, which finishes a cash-out that stopped after its close.
 */
@Injectable()
export class RefundPayment {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(PAYMENT_GATEWAY) private readonly gateway: PaymentGateway,
    private readonly ring: BrokerKeyRing,
  ) {}

  /**
   * Finishes the refund of a chain a cash-out closed, if it is still unpaid (the request stopped
   * after the close: a crash, the bank or the store away, or a decline that may pass). Throws as
   * `pay` does when the bank declines it or is away; a final decline is not asked again.
   */
  async finish(customerId: string, chainId: string): Promise<RefundFinish> {
    const chain = await loadChain(this.store, this.ring, chainId);
    if (chain.status !== 'closed' || chain.reason !== 'cashed-out') return { status: 'none' };
    const coins = Math.max(0, chain.touchstone.length - chain.index + 1);
    const amount = coins * chain.touchstone.coinValue;
    if (amount === 0) return { status: 'none' };
    const state = await this.refundState(customerId, chainId);
    const account = refundTarget(state);
    if (account === undefined) return { status: 'none' };
    if (state.refunded !== undefined) return { status: 'recorded' };
    if (declinedForGood(state, account)) return { status: 'waits', account };
    const at = this.clock.now().toISOString();
    const currency = chain.touchstone.currency;
    const paid = await this.pay({ customerId, chainId, amount, currency, at }, undefined);
    return { status: 'paid', ...paid };
  }

  /** `refundTo` must be the caller's (its mandate confirmed) and take the refund: else 403 or 402. */
  async refuseAccount(refundTo: RefundAccount, currency: string, owed?: number): Promise<void> {
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
  async pay(
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
