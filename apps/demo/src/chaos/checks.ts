// What must hold after every fault, read from the event store itself: every acknowledged spend
// is there, no position of a chain was accepted twice, and what each vendor sold (its spends'
// coins × the chain's coin value) is what the nights have paid it.
import { type EventStore, readAllPages } from '#event-store';
import type { Ack } from './load.js';

export interface StoreVerdict {
  /** Acknowledged spends (receipts) checked. */
  readonly acknowledged: number;
  /** Acknowledged spends the store does not hold (with those positions at that vendor). */
  readonly lost: number;
  /** Positions recorded by two spends of one chain. */
  readonly doubleAccepted: number;
  /** Spends recorded in the store. */
  readonly spends: number;
  /** Minor units each vendor sold, from the store. */
  readonly sold: Readonly<Record<string, number>>;
}

interface Spent {
  readonly chainId: string;
  readonly vendorId: string;
  readonly fromIndex: number;
  readonly toIndex: number;
  readonly receiptId: string;
}

export async function verifyStore(
  store: Pick<EventStore, 'readAll'>,
  acks: Iterable<Ack>,
): Promise<StoreVerdict> {
  const coinValue = new Map<string, number>();
  const byReceipt = new Map<string, Spent>();
  const byChain = new Map<string, Spent[]>();
  // Page by page, a page that times out on the busy machine read again (one whole-store read did).
  for await (const page of readAllPages(store))
    for (const e of page) {
      if (e.type === 'ChainIssued') {
        const t = (e.data as { touchstone: { chainId: string; coinValue: number } }).touchstone;
        coinValue.set(t.chainId, t.coinValue);
      } else if (e.type === 'CoinsSpent') {
        const s = e.data as Spent;
        byReceipt.set(s.receiptId, s);
        const list = byChain.get(s.chainId) ?? [];
        list.push(s);
        byChain.set(s.chainId, list);
      }
    }
  let acknowledged = 0;
  let lost = 0;
  for (const ack of acks) {
    acknowledged += 1;
    const s = byReceipt.get(ack.receiptId);
    const same =
      s !== undefined &&
      s.chainId === ack.chainId &&
      s.vendorId === ack.vendorId &&
      s.fromIndex === ack.fromIndex &&
      s.toIndex === ack.toIndex;
    if (!same) lost += 1;
  }
  let doubleAccepted = 0;
  const sold: Record<string, number> = {};
  let spends = 0;
  for (const [chainId, list] of byChain) {
    const sorted = [...list].sort((a, b) => a.fromIndex - b.fromIndex);
    for (let i = 1; i < sorted.length; i++) {
      const overlap = sorted[i - 1]!.toIndex - sorted[i]!.fromIndex + 1;
      if (overlap > 0) doubleAccepted += overlap;
    }
    for (const s of list) {
      spends += 1;
      sold[s.vendorId] =
        (sold[s.vendorId] ?? 0) + (s.toIndex - s.fromIndex + 1) * (coinValue.get(chainId) ?? NaN);
    }
  }
  return { acknowledged, lost, doubleAccepted, spends, sold };
}

/** Vendors whose payments differ from their sales: `vendor: paid ≠ sold`. */
export function payMismatches(
  sold: Readonly<Record<string, number>>,
  paid: Readonly<Record<string, number>>,
): string[] {
  const vendors = new Set([...Object.keys(sold), ...Object.keys(paid)]);
  return [...vendors]
    .filter((v) => (sold[v] ?? 0) !== (paid[v] ?? 0))
    .map((v) => `${v}: paid ${paid[v] ?? 0} ≠ sold ${sold[v] ?? 0}`);
}
