import type { CoinsPurchased, PurchaseDeclined, StoredEvent } from '#events';

/** A purchase as folded from `purchase-<id>` (broker-private). */
export type PurchaseState =
  | { readonly status: 'absent' }
  | { readonly status: 'completed'; readonly data: CoinsPurchased['data']; readonly position: bigint }
  | { readonly status: 'declined'; readonly data: PurchaseDeclined['data'] };

export const absentPurchase: PurchaseState = { status: 'absent' };

export function evolvePurchase(state: PurchaseState, event: StoredEvent): PurchaseState {
  if (state.status !== 'absent') return state; // the first outcome is final
  if (event.type === 'CoinsPurchased')
    return { status: 'completed', data: event.data, position: event.position };
  if (event.type === 'PurchaseDeclined') return { status: 'declined', data: event.data };
  return state;
}

/** Split `coins` into chains of at most `maxLength` paywords. */
export function planChainLengths(coins: number, maxLength: number): number[] {
  const lengths: number[] = [];
  for (let left = coins; left > 0; left -= maxLength) lengths.push(Math.min(left, maxLength));
  return lengths;
}
