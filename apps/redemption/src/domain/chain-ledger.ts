import type { ChainClaimed, ChainEvent, CoinsSpent, IndexHandedOff } from '#events';
import {
  checkTouchstoneUsable,
  checkWalletGrant,
  SIGNATURE,
  verifyHandOffCertificate,
  verifyPaywordAgainst,
  verifyTouchstone,
  type Hex,
  type KeyRing,
  type Touchstone,
} from '#protocol';
import type { Segment } from './segments.js';

/**
 * A spend whose W[toIndex] hashed down to W[fromIndex-1]. Payable to `vendorId` when it was the
 * holder; otherwise `unpaid` says why: the coins are gone (every fold believes a spend whose word
 * hashes down, and moves the index), but nobody is paid for them.
 */
export interface SpentSegment extends Segment {
  readonly vendorId: string;
  /** W[fromIndex-1]: the word this spend's payword hashed down to. */
  readonly previousPayword: Hex;
  /** Why no one is paid for these positions (a spend by a vendor that did not hold the chain). */
  readonly unpaid?: string;
}

/** What the broker trusts when it replays a chain: its own keys, and the vendors' registered keys. */
export interface ReplayKeys {
  readonly broker: KeyRing;
  /** The keys `vendorId` registered (each with `ownerId` = vendorId). */
  readonly vendorKeys: (vendorId: string) => KeyRing;
  /**
   * Signed contents (touchstones, certificates) already found valid, shared across replays to
   * skip repeating Ed25519 checks. Only successes are kept: keys are added, never withdrawn.
   */
  readonly verified?: Set<string>;
}

const MAX_VERIFIED = 100_000;

/** Runs `check` unless exactly this content verified before. */
function verifiedOnce(
  keys: ReplayKeys,
  content: unknown,
  check: () =>
    { readonly ok: true } | { readonly ok: false; readonly message: string; readonly code?: string },
): { readonly ok: true } | { readonly ok: false; readonly message: string; readonly code?: string } {
  const memo = keys.verified;
  const key = memo === undefined ? '' : JSON.stringify(content);
  if (memo?.has(key)) return { ok: true };
  const result = check();
  if (result.ok && memo !== undefined) {
    // A memo of verified contents (a Set, cleared when full): no recency to keep, so no LRU library.
    if (memo.size >= MAX_VERIFIED) memo.clear();
    memo.add(key);
  }
  return result;
}

/** A chain's history as the broker re-derives it, independently of every vendor and projection. */
export type ChainLedger =
  | { readonly status: 'unknown'; readonly chainId: string }
  | {
      readonly status: 'bad-touchstone';
      readonly chainId: string;
      readonly touchstone: Touchstone;
      readonly reason: string;
      /** Only the key is unknown (not yet learned from the broker's key list): worth another look later. */
      readonly unknownKey?: boolean;
    }
  | {
      readonly status: 'issued';
      readonly chainId: string;
      readonly touchstone: Touchstone;
      /** Valid spends in order: they tile [1, index) without gap or overlap, by construction. */
      readonly segments: readonly SpentSegment[];
      /** I: the next unspent position. */
      readonly index: number;
      /** Events the replay refused (a store should never hold them; the auditor reports them too). */
      readonly anomalies: readonly string[];
    };

interface Replay {
  readonly chainId: string;
  readonly touchstone: Touchstone;
  readonly wallet: 'client' | 'server';
  readonly keys: ReplayKeys;
  readonly segments: SpentSegment[];
  readonly anomalies: string[];
  index: number;
  lastPayword: Hex;
  holder: string | undefined;
  sliceEnd: number | undefined;
  /**
   * Vendors whose slice or grants the customer withdrew (until they check a new one out, or take
   * the wallet on a later grant), with the time of their latest withdrawal.
   */
  readonly withdrawn: Map<string, string>;
  open: boolean;
}

/**
 * Replays a chain's stream with the protocol's own checks: the touchstone's broker signature,
 * only the holder spends, each spend starts at I and its payword hashes down to W[I-1], every
 * change of holder is a hand-off certificate signed by the holder (or a claim from the holder
 * at the current index); a server-side wallet is first taken by a checkout. Events that fail are skipped, so what they claim is never payable.
 */
export function replayChain(chainId: string, history: readonly ChainEvent[], keys: ReplayKeys): ChainLedger {
  const first = history[0];
  if (first === undefined || first.type !== 'ChainIssued') return { status: 'unknown', chainId };
  const touchstone = first.data.touchstone;
  if (touchstone.chainId !== chainId) {
    return {
      status: 'bad-touchstone',
      chainId,
      touchstone,
      reason: `touchstone names chain ${touchstone.chainId}`,
    };
  }
  const signature = verifiedOnce(keys, ['touchstone', touchstone], () =>
    verifyTouchstone(touchstone, keys.broker),
  );
  if (!signature.ok)
    return {
      status: 'bad-touchstone',
      chainId,
      touchstone,
      reason: signature.message,
      unknownKey: signature.code === SIGNATURE.UNKNOWN_KEY,
    };
  const r: Replay = {
    chainId,
    touchstone,
    wallet: first.data.wallet,
    keys,
    segments: [],
    anomalies: [],
    index: 1,
    lastPayword: touchstone.root,
    holder: undefined,
    sliceEnd: undefined,
    withdrawn: new Map(),
    open: true,
  };
  history.slice(1).forEach((event, i) => apply(r, event, i + 1));
  return {
    status: 'issued',
    chainId,
    touchstone,
    segments: r.segments,
    index: r.index,
    anomalies: r.anomalies,
  };
}

function apply(r: Replay, event: ChainEvent, revision: number): void {
  const refused = (why: string): void => void r.anomalies.push(`revision ${revision} ${event.type}: ${why}`);
  if (!r.open && event.type !== 'ChainClosed' && event.type !== 'ChainRevoked') {
    return refused('the chain is revoked or closed');
  }
  switch (event.type) {
    case 'ChainIssued':
      return refused('issued twice');
    case 'WalletCheckedOut': {
      const d = event.data;
      if (r.holder !== undefined && r.holder !== d.vendorId) return refused(`held by ${r.holder}`);
      if (d.index !== r.index || d.lastPayword !== r.lastPayword) return refused('not at the chain index');
      r.holder = d.vendorId;
      r.sliceEnd = Math.min(d.sliceEnd, r.touchstone.length);
      r.withdrawn.delete(d.vendorId);
      return;
    }
    case 'CoinsSpent': {
      const why = spendRefusal(r, event.data);
      if (why !== undefined) {
        consumeUnpaid(r, event.data, why);
        return refused(why);
      }
      const d = event.data;
      r.segments.push({
        vendorId: d.vendorId,
        fromIndex: d.fromIndex,
        toIndex: d.toIndex,
        payword: d.payword,
        previousPayword: r.lastPayword,
      });
      r.index = d.toIndex + 1;
      r.lastPayword = d.payword;
      r.holder = d.vendorId;
      return;
    }
    case 'IndexHandedOff': {
      const why = handOffRefusal(r, event.data);
      if (why !== undefined) return refused(why);
      r.holder = event.data.certificate.toVendor;
      // The holder handed it over on the broker's fresh grant (issued after any withdrawal).
      r.withdrawn.delete(event.data.certificate.toVendor);
      return;
    }
    case 'ChainClaimed': {
      const d = event.data;
      if (r.holder !== d.fromVendor)
        return refused(`claimed from ${d.fromVendor}, holder is ${r.holder ?? 'nobody'}`);
      if (d.index !== r.index || d.lastPayword !== r.lastPayword) return refused('not at the chain index');
      // A vendor the customer withdrew still knows the paywords of its old slice: claiming the
      // wallet back from the vendor now serving it would let it spend them as the holder.
      // An honest claimant the customer authorised again shows the broker's grant issued since.
      if (r.wallet === 'server' && r.withdrawn.has(d.toVendor)) {
        const why = regrantRefusal(r, d);
        if (why !== undefined)
          return refused(`claimed by ${d.toVendor}, whose slice the customer withdrew: ${why}`);
        r.withdrawn.delete(d.toVendor);
      }
      r.holder = d.toVendor;
      return;
    }
    case 'SliceWithdrawn': {
      // The customer withdrew the holder's authority: whatever it records after this is not payable.
      const d = event.data;
      if (r.holder !== d.vendorId)
        return refused(`withdrawn from ${d.vendorId}, holder is ${r.holder ?? 'nobody'}`);
      if (d.index !== r.index || d.lastPayword !== r.lastPayword) return refused('not at the chain index');
      r.holder = undefined;
      r.sliceEnd = undefined;
      withdraw(r, d.vendorId, d.at);
      return;
    }
    case 'VendorWithdrawn':
      // Voids the vendor's older wallet grants on this chain; it moves no holder and ends no slice,
      // but the vendor may no longer take the wallet by a claim (it may know an old slice's words).
      withdraw(r, event.data.vendorId, event.data.at);
      return;
    case 'ChainRevoked':
    case 'ChainClosed':
      r.open = false;
      return;
    default: {
      const unreachable: never = event;
      return unreachable;
    }
  }
}

function withdraw(r: Replay, vendorId: string, at: string): void {
  const before = r.withdrawn.get(vendorId);
  if (before === undefined || !(Date.parse(before) >= Date.parse(at))) r.withdrawn.set(vendorId, at);
}

/**
 * Why a claim by a vendor withdrawn on this chain does not show the customer's renewed authority:
 * a broker-signed grant for this chain and claimant, issued after its latest withdrawal and valid
 * at the claim (the broker issues one only while the customer authorises the vendor).
 */
function regrantRefusal(r: Replay, d: ChainClaimed['data']): string | undefined {
  if (d.walletGrant === undefined) return 'no wallet grant';
  const grant = d.walletGrant;
  let check;
  try {
    check = checkWalletGrant(grant, r.keys.broker, { chainId: r.chainId, vendorId: d.toVendor, now: d.at });
  } catch {
    return 'a malformed wallet grant';
  }
  if (!check.ok) return check.message;
  const withdrawnAt = r.withdrawn.get(d.toVendor)!;
  if (!(Date.parse(grant.issuedAt) > Date.parse(withdrawnAt)))
    return `its wallet grant was issued at ${grant.issuedAt}, before the withdrawal at ${withdrawnAt}`;
  return undefined;
}

function spendRefusal(r: Replay, d: CoinsSpent['data']): string | undefined {
  if (r.holder !== undefined && r.holder !== d.vendorId)
    return `spent by ${d.vendorId} while ${r.holder} held it`;
  // A server-side wallet is spent only after a checkout: nobody takes it by a first spend.
  if (r.holder === undefined && r.wallet === 'server') {
    return r.withdrawn.has(d.vendorId)
      ? `spent by ${d.vendorId} after the customer withdrew its slice`
      : 'a server-side wallet spent before any checkout';
  }
  if (d.fromIndex !== r.index) return `starts at ${d.fromIndex}, the index was ${r.index}`;
  if (!Number.isSafeInteger(d.toIndex) || d.toIndex < d.fromIndex || d.toIndex > r.touchstone.length) {
    return `ends at ${d.toIndex}, outside ${d.fromIndex}..${r.touchstone.length}`;
  }
  if (r.sliceEnd !== undefined && d.toIndex > r.sliceEnd)
    return `beyond the checked-out slice (${r.sliceEnd})`;
  let usable;
  try {
    usable = checkTouchstoneUsable(r.touchstone, { now: d.at, vendorId: d.vendorId });
  } catch {
    return `spend time ${d.at} is not a time`;
  }
  if (!usable.ok) return usable.message;
  const proof = verifyPaywordAgainst(
    r.touchstone.alg,
    r.chainId,
    r.index - 1,
    r.lastPayword,
    d.toIndex,
    d.payword,
  );
  return proof.ok ? undefined : proof.message;
}

/**
 * A spend refused for payment whose word still hashes down from W[I-1] (a vendor that did not
 * hold the chain, spending paywords of a server-side slice it was given before): every fold
 * believes it and moves the index, so the replay does too, with an unpaid segment, or every later
 * honest spend on the chain would start past the replay's index and be refused.
 */
function consumeUnpaid(r: Replay, d: CoinsSpent['data'], why: string): void {
  if (!Number.isSafeInteger(d.toIndex) || d.toIndex < r.index || d.toIndex > r.touchstone.length) return;
  let proof;
  try {
    proof = verifyPaywordAgainst(
      r.touchstone.alg,
      r.chainId,
      r.index - 1,
      r.lastPayword,
      d.toIndex,
      d.payword,
    );
  } catch {
    return;
  }
  if (!proof.ok) return;
  r.segments.push({
    vendorId: d.vendorId,
    fromIndex: r.index,
    toIndex: d.toIndex,
    payword: d.payword,
    previousPayword: r.lastPayword,
    unpaid: why,
  });
  r.index = d.toIndex + 1;
  r.lastPayword = d.payword;
}

function handOffRefusal(r: Replay, d: IndexHandedOff['data']): string | undefined {
  const c = d.certificate;
  if (c.chainId !== r.chainId) return `certificate is for chain ${c.chainId}`;
  if (r.holder !== c.fromVendor) return `handed off by ${c.fromVendor}, holder is ${r.holder ?? 'nobody'}`;
  if (c.index !== r.index || c.lastPayword !== r.lastPayword) return 'certificate is not at the chain index';
  const signature = verifiedOnce(r.keys, ['hand-off', c], () =>
    verifyHandOffCertificate(c, r.keys.vendorKeys(c.fromVendor)),
  );
  return signature.ok ? undefined : signature.message;
}

/** The valid spend containing `position`, by binary search (segments are sorted and disjoint). */
export function segmentAt(segments: readonly SpentSegment[], position: number): SpentSegment | undefined {
  let lo = 0;
  let hi = segments.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = segments[mid]!;
    if (position < s.fromIndex) hi = mid - 1;
    else if (position > s.toIndex) lo = mid + 1;
    else return s;
  }
  return undefined;
}
