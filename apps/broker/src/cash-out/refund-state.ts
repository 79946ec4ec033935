import { type CoinsRefunded, FINAL_REFUND_DECLINES, type StoredEvent } from '#events';
import { absentCustomer, type CustomerState, evolveCustomer } from '../customer/customer.state.js';

/** One chain's refund as the customer's stream has it. */
export interface RefundState {
  readonly customer: CustomerState;
  /** The refund recorded as paid, once. */
  readonly refunded: CoinsRefunded['data'] | undefined;
  /** The account the customer named for it after a decline (`RefundAccountChosen`), if any. */
  readonly chosen: string | undefined;
  /** Accounts whose refund of the chain the bank declined (`RefundDeclined`), with each reason. */
  readonly declined: ReadonlyMap<string, ReadonlySet<string>>;
}

export const noRefund = (): RefundState => ({
  customer: absentCustomer,
  refunded: undefined,
  chosen: undefined,
  declined: new Map(),
});

/** Whether the bank's decline of the chain's refund at `account` is recorded as final. */
export function declinedForGood(state: RefundState, account: string): boolean {
  return [...(state.declined.get(account) ?? [])].some((reason) => FINAL_REFUND_DECLINES.has(reason));
}

/** Where the chain's refund goes now: the account last chosen, else the registered one. */
export function refundTarget(state: RefundState): string | undefined {
  if (state.chosen !== undefined) return state.chosen;
  return state.customer.status === 'registered' ? state.customer.bankAccount : undefined;
}

/** Folds the customer's stream for one chain's refund (the customer, too). */
export function evolveRefund(chainId: string): (state: RefundState, event: StoredEvent) => RefundState {
  return (state, event) => {
    const customer = evolveCustomer(state.customer, event);
    const next = customer === state.customer ? state : { ...state, customer };
    switch (event.type) {
      case 'CoinsRefunded':
        return event.data.chainId === chainId && next.refunded === undefined
          ? { ...next, refunded: event.data }
          : next;
      case 'RefundDeclined':
        return event.data.chainId === chainId
          ? {
              ...next,
              declined: new Map([
                ...next.declined,
                [
                  event.data.bankAccount,
                  new Set([...(next.declined.get(event.data.bankAccount) ?? []), event.data.reason]),
                ],
              ]),
            }
          : next;
      case 'RefundAccountChosen':
        return event.data.chainId === chainId ? { ...next, chosen: event.data.bankAccount } : next;
      default:
        return next;
    }
  };
}
