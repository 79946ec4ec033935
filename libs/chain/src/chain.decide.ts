import type {
  ChainClaimed,
  ChainClosed,
  ChainIssued,
  ChainRevoked,
  RevocationReason,
  CoinsSpent,
  IndexHandedOff,
  SliceWithdrawn,
  VendorWithdrawn,
  WalletCheckedOut,
} from '#events';
import {
  checkTouchstoneUsable,
  verifySpend,
  type HandOffCertificate,
  type SpendProof,
  type Touchstone,
  type VendorKeyCertificate,
  type WalletGrant,
} from '#protocol';
import { CHAIN, refuse, type ChainRejection } from './chain.errors.js';
import { withdrawnGrant, type ChainState, type LastSpend } from './chain.state.js';

/** A decision appends these events, or refuses with a reason. */
export type Decision<E> = { readonly ok: true; readonly events: readonly E[] } | ChainRejection;

type Open = Extract<ChainState, { status: 'open' }>;

function requireOpen(state: ChainState): { readonly ok: true; readonly chain: Open } | ChainRejection {
  switch (state.status) {
    case 'absent':
      return refuse(CHAIN.NOT_FOUND, 'no such chain');
    case 'revoked':
      return refuse(CHAIN.REVOKED, `chain ${state.chainId} was revoked: ${state.reason}`);
    case 'closed':
      return refuse(CHAIN.CLOSED, `chain ${state.chainId} is closed (${state.reason})`);
    case 'open':
      return { ok: true, chain: state };
    default: {
      const unreachable: never = state;
      return unreachable;
    }
  }
}

export function decideIssue(
  state: ChainState,
  command: { touchstone: Touchstone; wallet: 'client' | 'server'; at: string },
): Decision<ChainIssued> {
  if (state.status !== 'absent') return refuse(CHAIN.ALREADY_ISSUED, `chain ${state.chainId} exists`);
  const { touchstone, wallet, at } = command;
  return {
    ok: true,
    events: [
      { type: 'ChainIssued', version: 1, data: { chainId: touchstone.chainId, touchstone, wallet, at } },
    ],
  };
}

export interface SpendCommand {
  readonly vendorId: string;
  readonly proof: SpendProof;
  /** The price, a whole number of coins. */
  readonly count: number;
  /** The authorisation number the receipt will carry. */
  readonly receiptId: string;
  /** What is bought (kept in the event for the customer's history). */
  readonly resource?: string;
  readonly at: string;
}

/** A spend decision; `duplicateOf` answers a retry of the last spend with its original record. */
export type SpendDecision =
  Decision<CoinsSpent> | { readonly ok: true; readonly events: readonly []; readonly duplicateOf: LastSpend };

/**
 * 1. the chain must be open, valid now and allowed at this vendor;
 * 2. only the holder spends (a chain nobody holds yet is taken by its first spend);
 * 3. a retry of the very last spend (same vendor, position, payword) is answered again, not re-applied;
 * 4. the payword must hash down to W[I-1] in exactly `count` steps.
 */
export function decideSpend(state: ChainState, command: SpendCommand): SpendDecision {
  const opened = requireOpen(state);
  if (!opened.ok) return opened;
  const open = opened.chain;
  const { vendorId, proof, count, receiptId, at } = command;
  const usable = checkTouchstoneUsable(open.touchstone, { now: at, vendorId });
  if (!usable.ok) return refuse(usable.code, usable.message);
  const last = open.lastSpend;
  if (
    last !== undefined &&
    last.vendorId === vendorId &&
    last.toIndex === proof.position &&
    last.payword === proof.payword &&
    last.toIndex - last.fromIndex + 1 === count
  ) {
    return { ok: true, events: [], duplicateOf: last };
  }
  if (open.holder !== undefined && open.holder !== vendorId) {
    return refuse(CHAIN.NOT_HOLDER, `chain ${open.chainId} is held by vendor ${open.holder}`);
  }
  // A server-side wallet is spent only through a checkout; nobody takes it by a first spend.
  if (open.wallet === 'server' && open.holder === undefined) {
    if (open.withdrawnFrom === vendorId) {
      return refuse(
        CHAIN.SLICE_WITHDRAWN,
        `the customer withdrew vendor ${vendorId}'s authority over wallet ${open.chainId}`,
      );
    }
    return refuse(CHAIN.NOT_CHECKED_OUT, `server-side wallet ${open.chainId} has not been checked out`);
  }
  if (open.sliceEnd !== undefined && proof.position > open.sliceEnd) {
    return refuse(CHAIN.BEYOND_SLICE, `the checked-out slice ends at ${open.sliceEnd}`);
  }
  const check = verifySpend({
    chain: open.touchstone,
    state: { chainId: open.chainId, index: open.index, lastPayword: open.lastPayword },
    proof,
    count,
  });
  if (!check.ok) return refuse(check.code, check.message);
  const data = {
    chainId: open.chainId,
    vendorId,
    fromIndex: check.fromIndex,
    toIndex: check.toIndex,
    payword: proof.payword,
    receiptId,
    ...(command.resource === undefined ? {} : { resource: command.resource }),
    at,
  };
  return { ok: true, events: [{ type: 'CoinsSpent', version: 1, data }] };
}

export function decideCheckout(
  state: ChainState,
  command: { vendorId: string; sliceEnd: number; at: string },
): Decision<WalletCheckedOut> {
  const opened = requireOpen(state);
  if (!opened.ok) return opened;
  const open = opened.chain;
  if (open.wallet !== 'server')
    return refuse(CHAIN.WRONG_WALLET_KIND, 'only server-side wallets are checked out');
  if (open.holder !== undefined && open.holder !== command.vendorId) {
    return refuse(CHAIN.NOT_HOLDER, `chain ${open.chainId} is held by vendor ${open.holder}`);
  }
  const sliceEnd = Math.min(command.sliceEnd, open.touchstone.length);
  const data = {
    chainId: open.chainId,
    vendorId: command.vendorId,
    index: open.index,
    lastPayword: open.lastPayword,
    sliceEnd,
    at: command.at,
  };
  return { ok: true, events: [{ type: 'WalletCheckedOut', version: 1, data }] };
}

/**
 * The holder hands off with a certificate it signed (signature checked by the caller), and its
 * broker-signed key certificate, which readers need to believe the event. A server-side wallet
 * moves only on a wallet grant (checked by the caller) issued after the receiver's latest
 * withdrawal on this chain: `grantIssuedAt` is that grant's `issuedAt`.
 */
export function decideHandOff(
  state: ChainState,
  command: {
    certificate: HandOffCertificate;
    holderCertificate?: VendorKeyCertificate;
    grantIssuedAt?: string;
    at: string;
  },
): Decision<IndexHandedOff> {
  const opened = requireOpen(state);
  if (!opened.ok) return opened;
  const open = opened.chain;
  const c = command.certificate;
  if (c.toVendor === c.fromVendor)
    return refuse(CHAIN.HANDOFF_TO_SELF, 'a vendor cannot hand a chain to itself');
  if (open.holder !== c.fromVendor) {
    return refuse(
      CHAIN.NOT_HOLDER,
      `chain ${open.chainId} is held by ${open.holder ?? 'nobody'}, not ${c.fromVendor}`,
    );
  }
  if (c.chainId !== open.chainId || c.index !== open.index || c.lastPayword !== open.lastPayword) {
    return refuse(CHAIN.HANDOFF_MISMATCH, `certificate does not match the chain at index ${open.index}`);
  }
  if (open.wallet === 'server') {
    const withdrawn = withdrawnGrant(open, c.toVendor, command.grantIssuedAt);
    if (withdrawn !== undefined) return refuse(CHAIN.VENDOR_WITHDRAWN, withdrawn);
  }
  return {
    ok: true,
    events: [
      {
        type: 'IndexHandedOff',
        version: 1,
        data: {
          certificate: c,
          ...(command.holderCertificate ? { holderCertificate: command.holderCertificate } : {}),
          at: command.at,
        },
      },
    ],
  };
}

/**
 * The holder did not answer a hand-off in time: take the chain from the store's
 * state. The append's expected revision makes the old holder's late appends fail.
 */
export function decideClaim(
  state: ChainState,
  command: { fromVendor: string; toVendor: string; at: string; walletGrant?: WalletGrant },
): Decision<ChainClaimed> {
  const opened = requireOpen(state);
  if (!opened.ok) return opened;
  const open = opened.chain;
  if (command.toVendor === command.fromVendor)
    return refuse(CHAIN.HANDOFF_TO_SELF, 'cannot claim from itself');
  if (open.holder !== command.fromVendor) {
    return refuse(
      CHAIN.CLAIM_HOLDER_CHANGED,
      `chain ${open.chainId} is now held by ${open.holder ?? 'nobody'}`,
    );
  }
  const data = {
    chainId: open.chainId,
    fromVendor: command.fromVendor,
    toVendor: command.toVendor,
    index: open.index,
    lastPayword: open.lastPayword,
    reason: 'holder-timeout' as const,
    at: command.at,
    // A server-side wallet's claimant shows the grant it asked with: the customer's authority.
    ...(command.walletGrant && open.wallet === 'server' ? { walletGrant: command.walletGrant } : {}),
  };
  return { ok: true, events: [{ type: 'ChainClaimed', version: 1, data }] };
}

/**
 * The customer withdrew `vendorId`'s authority: if it holds this server-side wallet, its slice
 * ends at I (`SliceWithdrawn`); otherwise `VendorWithdrawn` voids every wallet grant it got up to
 * now. A retry of the same withdrawal (same `at`, or an earlier one) appends nothing.
 */
export function decideWithdraw(
  state: ChainState,
  command: { vendorId: string; at: string },
): Decision<SliceWithdrawn | VendorWithdrawn> {
  if (state.status !== 'open' || state.wallet !== 'server') return { ok: true, events: [] };
  if (state.holder !== command.vendorId) {
    const last = state.withdrawals?.[command.vendorId];
    if (last !== undefined && Date.parse(last) >= Date.parse(command.at)) return { ok: true, events: [] };
    const { chainId } = state;
    const data = { chainId, vendorId: command.vendorId, at: command.at };
    return { ok: true, events: [{ type: 'VendorWithdrawn', version: 1, data }] };
  }
  const data = {
    chainId: state.chainId,
    vendorId: command.vendorId,
    index: state.index,
    lastPayword: state.lastPayword,
    at: command.at,
  };
  return { ok: true, events: [{ type: 'SliceWithdrawn', version: 1, data }] };
}

export function decideRevoke(
  state: ChainState,
  command: { reason: RevocationReason; at: string },
): Decision<ChainRevoked> {
  const opened = requireOpen(state);
  if (!opened.ok) return opened;
  const open = opened.chain;
  const data = { chainId: open.chainId, reason: command.reason, at: command.at };
  return { ok: true, events: [{ type: 'ChainRevoked', version: 2, data }] };
}

export function decideClose(
  state: ChainState,
  command: { reason: ChainClosed['data']['reason']; reissuedAs?: string; at: string },
): Decision<ChainClosed> {
  if (state.status === 'absent') return refuse(CHAIN.NOT_FOUND, 'no such chain');
  if (state.status === 'closed') return refuse(CHAIN.CLOSED, `chain ${state.chainId} is already closed`);
  const { reason, reissuedAs, at } = command;
  const data = {
    chainId: state.chainId,
    index: state.index,
    reason,
    ...(reissuedAs ? { reissuedAs } : {}),
    at,
  };
  return { ok: true, events: [{ type: 'ChainClosed', version: 1, data }] };
}
