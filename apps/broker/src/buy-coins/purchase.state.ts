import type {
  CoinsPurchased,
  PurchaseDeclined,
  PurchaseRequested,
  PurchaseVoided,
  StoredEvent,
} from '#events';

/** A purchase as folded from `purchase-<id>` (broker-private). */
export type PurchaseState =
  | { readonly status: 'absent' }
  /** Recorded before its charge; no outcome yet (the bank's answer may be lost: reconciliation). */
  | { readonly status: 'requested'; readonly data: PurchaseRequested['data']; readonly revision: number }
  | { readonly status: 'completed'; readonly data: CoinsPurchased['data']; readonly position: bigint }
  | { readonly status: 'declined'; readonly data: PurchaseDeclined['data'] }
  | { readonly status: 'voided'; readonly data: PurchaseVoided['data'] };

export type SettledPurchase = Exclude<PurchaseState, { status: 'absent' | 'requested' }>;

export const absentPurchase: PurchaseState = { status: 'absent' };

export function evolvePurchase(state: PurchaseState, event: StoredEvent): PurchaseState {
  if (state.status !== 'absent' && state.status !== 'requested') return state; // the first outcome is final
  switch (event.type) {
    case 'PurchaseRequested':
      return state.status === 'absent'
        ? { status: 'requested', data: event.data, revision: event.revision }
        : state;
    case 'CoinsPurchased':
      return { status: 'completed', data: event.data, position: event.position };
    case 'PurchaseDeclined':
      return { status: 'declined', data: event.data };
    case 'PurchaseVoided':
      return { status: 'voided', data: event.data };
    default:
      return state;
  }
}

/** Split `coins` into chains of at most `maxLength` paywords. */
export function planChainLengths(coins: number, maxLength: number): number[] {
  const lengths: number[] = [];
  for (let left = coins; left > 0; left -= maxLength) lengths.push(Math.min(left, maxLength));
  return lengths;
}
