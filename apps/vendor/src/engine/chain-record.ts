import type { ChainState } from '#chain';
import type { Touchstone } from '#protocol';

type WithoutTouchstone<T> = T extends unknown ? Omit<T, 'touchstone'> : never;

/**
 * A chain's state without its touchstone: what the hot store keeps per chain
 * `(holder, I, W[I-1], revision, …)`. The touchstone is immutable and kept
 * apart, so the record written after every spend stays small.
 */
export type ChainRecord = WithoutTouchstone<Exclude<ChainState, { status: 'absent' }>>;

export type KnownChain = Exclude<ChainState, { status: 'absent' }>;
export type OpenChain = Extract<ChainState, { status: 'open' }>;

export function toRecord(state: KnownChain): ChainRecord {
  const { touchstone: _touchstone, ...record } = state;
  return record;
}

export function fromRecord(record: ChainRecord, touchstone: Touchstone): KnownChain {
  return { ...record, touchstone };
}

/** Whether two touchstones are the same signed object, field by field. */
export function sameTouchstone(a: Touchstone, b: Touchstone): boolean {
  if (a === b) return true;
  const restriction = (t: Touchstone): string => (t.vendorRestriction ?? []).join('\u0000');
  return (
    a.signature === b.signature &&
    a.chainId === b.chainId &&
    a.alg === b.alg &&
    a.root === b.root &&
    a.length === b.length &&
    a.coinValue === b.coinValue &&
    a.currency === b.currency &&
    a.issuedAt === b.issuedAt &&
    a.expiresAt === b.expiresAt &&
    (a.vendorRestriction === undefined) === (b.vendorRestriction === undefined) &&
    restriction(a) === restriction(b) &&
    a.brokerKeyId === b.brokerKeyId
  );
}
