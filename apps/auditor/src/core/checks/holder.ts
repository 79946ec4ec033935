import type {
  ChainClaimed,
  IndexHandedOff,
  SliceWithdrawn,
  VendorWithdrawn,
  WalletCheckedOut,
} from '#events';
import { verifyHandOffCertificate } from '#protocol';
import type { ChainRecord } from '../ledger/chain-record.js';
import { RULES, type RuleCode } from '../rules.js';
import { requireAuthorised, requireRegistered } from './authority.js';
import { issuedChain, requireOpen, type CheckContext } from './context.js';

/**
 * R2: a chain changes holder only by a signed hand-off or an arbitrated claim,
 * and each names the chain's true state (I, W[I-1]) at that moment.
 */

/** Whether (index, word) is the chain's current (I, W[I-1]); reports `rule` when not. */
function matchesState(
  ctx: CheckContext,
  chain: ChainRecord,
  index: number,
  word: string,
  rule: RuleCode,
  what: string,
): boolean {
  if (index !== chain.index) {
    ctx.report.violation(
      rule,
      `${what} names index ${index}, the chain's index is ${chain.index}`,
      chain.chainId,
    );
    return false;
  }
  const check = chain.words.check(index - 1, word);
  if (check === 'match') {
    chain.words.add(index - 1, word);
    return true;
  }
  if (check === 'disagree') {
    ctx.report.violation(
      RULES.HASH_CROSS_CHECK_FAILED,
      `${what}: the auditor's hash and the protocol library's disagree on W[${index - 1}]`,
      chain.chainId,
    );
  } else
    ctx.report.violation(rule, `${what} names a W[${index - 1}] that is not this chain's`, chain.chainId);
  return false;
}

export function onWalletCheckedOut(ctx: CheckContext, data: WalletCheckedOut['data']): void {
  const chain = issuedChain(ctx, data.chainId);
  if (chain === undefined) return;
  ctx.figures.checkouts += 1;
  const what = `checkout by ${data.vendorId}`;
  requireOpen(ctx, chain, what);
  if (chain.wallet !== 'server') {
    ctx.report.violation(
      RULES.CHECKOUT_NOT_ALLOWED,
      `${what}: chain ${chain.chainId} is a client-side wallet`,
      chain.chainId,
    );
  }
  if (chain.holder !== undefined && chain.holder !== data.vendorId) {
    ctx.report.violation(
      RULES.HOLDER_CHANGED_WITHOUT_HANDOFF,
      `${what} while ${chain.holder} holds chain ${chain.chainId}`,
      chain.chainId,
    );
  }
  matchesState(ctx, chain, data.index, data.lastPayword, RULES.CHECKOUT_MISMATCH, what);
  const authorised =
    requireRegistered(ctx, chain, data.vendorId, what) && requireAuthorised(ctx, chain, data.vendorId, what);
  chain.authorisedHolder = authorised ? data.vendorId : undefined;
  if (data.sliceEnd < data.index - 1 || data.sliceEnd > chain.length) {
    ctx.report.violation(
      RULES.CHECKOUT_MISMATCH,
      `${what}: slice end ${data.sliceEnd} is outside ${data.index - 1}..${chain.length}`,
      chain.chainId,
    );
  }
  chain.holder = data.vendorId;
  chain.sliceEnd = data.sliceEnd;
  chain.note(
    ctx.at.position,
    ctx.at.revision,
    'WalletCheckedOut',
    `${data.vendorId} checked out ${data.index}..${data.sliceEnd}`,
  );
}

export function onIndexHandedOff(ctx: CheckContext, data: IndexHandedOff['data']): void {
  const c = data.certificate;
  const chain = issuedChain(ctx, c.chainId);
  if (chain === undefined) return;
  ctx.figures.handOffs += 1;
  const what = `hand-off ${c.fromVendor} → ${c.toVendor} at index ${c.index}`;
  requireOpen(ctx, chain, what);
  const fromHolder = chain.holder === c.fromVendor;
  if (!fromHolder) {
    ctx.report.violation(
      RULES.HANDOFF_BY_NON_HOLDER,
      `${what}: chain ${chain.chainId} is held by ${chain.holder ?? 'nobody'}`,
      chain.chainId,
    );
  }
  const signature = verifyHandOffCertificate(c, (keyId) => ctx.ledger.vendorKey(c.fromVendor, keyId));
  if (!signature.ok) {
    const rule =
      signature.code === 'SIGNATURE.UNKNOWN_KEY' ? RULES.UNKNOWN_VENDOR_KEY : RULES.BAD_HANDOFF_SIGNATURE;
    ctx.report.violation(rule, `${what}: ${signature.message}`, chain.chainId);
  }
  const atState = matchesState(ctx, chain, c.index, c.lastPayword, RULES.HANDOFF_MISMATCH, what);
  const suspendedAt = ctx.ledger.suspendedVendors.get(c.toVendor);
  if (suspendedAt !== undefined)
    ctx.report.violation(
      RULES.HANDOFF_TO_SUSPENDED,
      `${what}: ${c.toVendor} is suspended for fraud since ${suspendedAt}`,
      chain.chainId,
    );
  // As every fold (`holderMoveMismatch` in #chain): the holder moves only from itself, at its state.
  if (!fromHolder || !atState) {
    chain.note(ctx.at.position, ctx.at.revision, 'IndexHandedOff', `${what}: not applied`);
    return;
  }
  const authorised =
    requireRegistered(ctx, chain, c.toVendor, what) && requireAuthorised(ctx, chain, c.toVendor, what);
  chain.authorisedHolder = authorised ? c.toVendor : undefined;
  chain.holder = c.toVendor;
  chain.note(
    ctx.at.position,
    ctx.at.revision,
    'IndexHandedOff',
    `${what}, signature ${signature.ok ? 'valid' : 'INVALID'}`,
  );
}

export function onChainClaimed(ctx: CheckContext, data: ChainClaimed['data']): void {
  const chain = issuedChain(ctx, data.chainId);
  if (chain === undefined) return;
  ctx.figures.claims += 1;
  const what = `claim by ${data.toVendor} from ${data.fromVendor} at index ${data.index}`;
  requireOpen(ctx, chain, what);
  const toSelf = data.toVendor === data.fromVendor;
  if (toSelf) {
    ctx.report.violation(RULES.CLAIM_MISMATCH, `${what}: a vendor cannot claim from itself`, chain.chainId);
  }
  const fromHolder = chain.holder === data.fromVendor;
  if (!fromHolder) {
    ctx.report.violation(
      RULES.CLAIM_NOT_FROM_HOLDER,
      `${what}: chain ${chain.chainId} was held by ${chain.holder ?? 'nobody'}`,
      chain.chainId,
    );
  }
  const atState = matchesState(ctx, chain, data.index, data.lastPayword, RULES.CLAIM_MISMATCH, what);
  const suspendedAt = ctx.ledger.suspendedVendors.get(data.toVendor);
  if (suspendedAt !== undefined)
    ctx.report.violation(
      RULES.CLAIM_BY_SUSPENDED,
      `${what}: ${data.toVendor} is suspended for fraud since ${suspendedAt}`,
      chain.chainId,
    );
  // As every fold (`holderMoveMismatch` in #chain): the holder moves only from itself, at its state.
  if (toSelf || !fromHolder || !atState) {
    chain.note(ctx.at.position, ctx.at.revision, 'ChainClaimed', `${what}: not applied`);
    return;
  }
  const authorised =
    requireRegistered(ctx, chain, data.toVendor, what) && requireAuthorised(ctx, chain, data.toVendor, what);
  chain.authorisedHolder = authorised ? data.toVendor : undefined;
  chain.holder = data.toVendor;
  chain.note(ctx.at.position, ctx.at.revision, 'ChainClaimed', what);
}

/**
 * The customer withdrew the holder's authority: its slice ends at the chain's index and nobody
 * holds the chain, so any later spend of that vendor is a spend by a non-holder (never redeemable).
 */
export function onSliceWithdrawn(ctx: CheckContext, data: SliceWithdrawn['data']): void {
  const chain = issuedChain(ctx, data.chainId);
  if (chain === undefined) return;
  const what = `withdrawal of ${data.vendorId}'s slice at index ${data.index}`;
  requireOpen(ctx, chain, what);
  if (chain.holder !== data.vendorId) {
    ctx.report.violation(
      RULES.HOLDER_CHANGED_WITHOUT_HANDOFF,
      `${what}: chain ${chain.chainId} is held by ${chain.holder ?? 'nobody'}`,
      chain.chainId,
    );
  }
  matchesState(ctx, chain, data.index, data.lastPayword, RULES.CHECKOUT_MISMATCH, what);
  chain.holder = undefined;
  chain.authorisedHolder = undefined;
  chain.sliceEnd = undefined;
  chain.withdrawals.set(data.vendorId, ctx.at.position);
  chain.note(ctx.at.position, ctx.at.revision, 'SliceWithdrawn', what);
}

/**
 * The customer withdrew a vendor that did not hold the chain: nothing moves; its wallet grants
 * issued up to now are void on this chain (the holders check them, `withdrawnGrant` in `#chain`).
 * The auditor sees no grants, so it notes the withdrawal in the chain's record only.
 */
export function onVendorWithdrawn(ctx: CheckContext, data: VendorWithdrawn['data']): void {
  const chain = issuedChain(ctx, data.chainId);
  if (chain === undefined) return;
  chain.withdrawals.set(data.vendorId, ctx.at.position);
  chain.note(ctx.at.position, ctx.at.revision, 'VendorWithdrawn', `withdrawal of ${data.vendorId}`);
}
