import { CHAIN, type ChainRejection, type ChainState, decideClose } from '#chain';
import type { EventStore } from '#event-store';
import { deterministicEventId } from '#events';
import type { Touchstone } from '#protocol';
import type { PaymentGateway } from '../bank/payment-gateway.port.js';
import { loadCustomer } from '../customer/customer.state.js';
import type { BrokerKeyRing } from '../keys/broker-key-ring.js';
import { runChainCommand } from './chain-stream.js';

/** The bank's idempotency key of a chain's refund: one refund per chain, whatever the retries. */
export const refundKey = (chainId: string): string => `refund_${chainId}`;

/** Why the broker closes a chain and refunds what is left: the customer cashes out, or it expired. */
export type RefundedClose = 'cashed-out' | 'expired';

/** Tag of each close's deterministic event id (kept as first written: a retry meets its own close). */
const CLOSE_ID_TAG: Readonly<Record<RefundedClose, string>> = { 'cashed-out': 'cash-out', expired: 'expiry' };

export interface ClosedChain {
  readonly touchstone: Touchstone;
  /** I at the close: positions below it were spent and are still redeemed to their vendors. */
  readonly index: number;
  /** Coins not spent: length − I + 1. */
  readonly coins: number;
  /** coins × coin value, integer minor units. */
  readonly amount: number;
}

/**
 * Closes a chain at its true index for `reason` (`ChainClosed`, expected revision, a deterministic
 * id): every spend appended before is still redeemed to its vendor; a vendor's later append meets
 * the new revision and finds the chain closed. A retry goes on from the close it made; a revoked
 * chain is refused (`CHAIN.REVOKED`), as is one closed for another reason (`CHAIN.CLOSED`), and
 * whatever `refuse` refuses (a cash-out: an expired chain, see `refuseExpired`).
 */
export async function closeAtIndex(
  store: EventStore,
  ring: BrokerKeyRing,
  chainId: string,
  reason: RefundedClose,
  at: string,
  refuse?: (state: ChainState) => ChainRejection | undefined,
): Promise<ClosedChain> {
  const { result } = await runChainCommand(
    store,
    ring,
    chainId,
    (state) => {
      if (state.status === 'closed' && state.reason === reason) return { ok: true, events: [] };
      if (state.status === 'revoked')
        return { ok: false, code: CHAIN.REVOKED, message: `chain ${chainId} was revoked` };
      return refuse?.(state) ?? decideClose(state, { reason, at });
    },
    (state, events) => {
      if (state.status === 'absent') throw new Error('closed an absent chain');
      return { index: events[0]?.data.index ?? state.index, touchstone: state.touchstone };
    },
    { eventId: () => deterministicEventId('ChainClosed', CLOSE_ID_TAG[reason], chainId) },
  );
  const coins = Math.max(0, result.touchstone.length - result.index + 1);
  return { ...result, coins, amount: coins * result.touchstone.coinValue };
}

/** What came of a refund: the bank's reference, or why none was paid. */
export type PayoutOutcome =
  | { readonly ok: true; readonly paymentRef: string }
  | { readonly ok: false; readonly why: 'declined'; readonly reason: string };
export type RefundOutcome = PayoutOutcome | { readonly ok: false; readonly why: 'no-customer' };

/**
 * Pays `amount` back to `account` under the chain's one refund key (`refund_<chainId>`): the bank
 * moves the money at most once per account, whoever asks and however often (a refund moves to
 * another account only after a final decline, see `PaymentGateway.payout`).
 */
export async function refundUnspent(
  gateway: PaymentGateway,
  refund: { account: string; chainId: string; amount: number; currency: string },
): Promise<PayoutOutcome> {
  const paid = await gateway.payout({
    account: refund.account,
    amount: refund.amount,
    currency: refund.currency,
    idempotencyKey: refundKey(refund.chainId),
    reference: refund.chainId,
  });
  return paid.ok
    ? { ok: true, paymentRef: paid.paymentRef }
    : { ok: false, why: 'declined', reason: paid.reason };
}

/** `refundUnspent` to the customer's registered account (`no-customer` when there is none). */
export async function refundToRegistered(
  store: EventStore,
  gateway: PaymentGateway,
  refund: { customerId: string; chainId: string; amount: number; currency: string },
): Promise<RefundOutcome> {
  const customer = await loadCustomer(store, refund.customerId);
  if (customer.status !== 'registered') return { ok: false, why: 'no-customer' };
  return refundUnspent(gateway, { ...refund, account: customer.bankAccount });
}
