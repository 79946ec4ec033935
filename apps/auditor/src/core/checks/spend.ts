import type { CoinsSpent } from '#events';
import type { ChainRecord } from '../ledger/chain-record.js';
import { addTo } from '../ledger/ledger.js';
import { RULES, type RuleCode } from '../rules.js';
import { requireAuthorised, requireRegistered } from './authority.js';
import { issuedChain, requireOpen, type CheckContext } from './context.js';

/**
 * R1 + R2 for one spend: the chain is open and valid now and here, the spender
 * holds it (within its slice for server-side wallets), the range starts at
 * the chain's index, and W[toIndex] hashes down to the last proven word.
 * A spend with no violation is what its vendor may later redeem (R3).
 */
export function onCoinsSpent(ctx: CheckContext, data: CoinsSpent['data']): void {
  const chain = issuedChain(ctx, data.chainId);
  if (chain === undefined) return;
  ctx.figures.spends += 1;
  let valid = chain.touchstoneVerified;
  const fail = (rule: RuleCode, detail: string): void => {
    valid = false;
    ctx.report.violation(rule, `chain ${chain.chainId}: ${detail}`, chain.chainId);
  };
  if (!requireOpen(ctx, chain, `spend of ${data.fromIndex}..${data.toIndex} by ${data.vendorId}`))
    valid = false;
  checkPlaceAndTime(chain, data, fail);
  const what = `spend of ${data.fromIndex}..${data.toIndex} by ${data.vendorId}`;
  // A client-side chain's first spend makes its vendor the holder: it must be a registered one.
  if (chain.holder === undefined && !requireRegistered(ctx, chain, data.vendorId, what)) valid = false;
  // A server-side wallet is debited only by a vendor its owner authorised, judged in the chain's
  // own order (the serialisation point between the vendor's debits and the withdrawal): the holder
  // of a slice got it by a checkout or hand-off checked against the owner's authority then, and a
  // withdrawal ends the slice with `SliceWithdrawn` in the chain (the broker answers the customer
  // only after it). A debit recorded before that event was authorised, even when the customer's
  // `VendorDeauthorised` is earlier in the global log (what the vendor and redemption do too).
  // `authorisedHolder` is the holder only when it got the chain while authorised.
  if (chain.authorisedHolder !== data.vendorId && !requireAuthorised(ctx, chain, data.vendorId, what))
    valid = false;
  const holderBefore = chain.holder;
  checkHolder(chain, data, fail);
  const before = chain.index;
  if (!checkRange(chain, data, fail)) {
    // A word that does not hash down is no spend (any vendor may append to a chain stream): what
    // every fold does too (libs/chain `spendMismatch`). Flagged, not applied: the chain's index,
    // holder and counts stay, so the honest events after it are judged on the true state.
    chain.holder = holderBefore;
    chain.note(
      ctx.at.position,
      ctx.at.revision,
      'CoinsSpent',
      `${data.vendorId} showed a forged word for ${data.fromIndex}..${data.toIndex} (receipt ${data.receiptId}) — VIOLATION, not applied`,
    );
    return;
  }

  // Positions past the chain's end do not exist: they are neither spent nor counted.
  const end = Math.min(data.toIndex, chain.length);
  const fresh = Math.max(0, end - Math.max(data.fromIndex, before) + 1);
  chain.index = Math.max(before, end + 1);
  chain.coinsSpent += fresh;
  ctx.figures.coinsSpent += fresh;
  ctx.figures.moneyIn(chain.currency).valueSpent += fresh * chain.coinValue;
  if (valid) {
    chain.recordValidSpend(data.vendorId, data.fromIndex, data.toIndex);
    addTo(ctx.ledger.vendor(data.vendorId).validSpentValue, chain.currency, fresh * chain.coinValue);
  }
  chain.note(
    ctx.at.position,
    ctx.at.revision,
    'CoinsSpent',
    `${data.vendorId} spent ${data.fromIndex}..${data.toIndex} (receipt ${data.receiptId})${valid ? '' : ' — VIOLATION'}`,
  );
}

function checkPlaceAndTime(
  chain: ChainRecord,
  data: CoinsSpent['data'],
  fail: (rule: RuleCode, detail: string) => void,
): void {
  const allowed = chain.touchstone.vendorRestriction;
  if (allowed !== undefined && !allowed.includes(data.vendorId)) {
    fail(RULES.VENDOR_NOT_ALLOWED, `${data.vendorId} is not among the vendors the touchstone allows`);
  }
  const at = Date.parse(data.at);
  if (at < chain.validFromMs || at >= chain.validToMs) {
    fail(
      RULES.SPEND_OUTSIDE_VALIDITY,
      `spent at ${data.at}, valid ${chain.touchstone.issuedAt} … ${chain.touchstone.expiresAt}`,
    );
  }
}

function checkHolder(
  chain: ChainRecord,
  data: CoinsSpent['data'],
  fail: (rule: RuleCode, detail: string) => void,
): void {
  if (chain.holder === undefined) {
    // A client-side chain is taken by its first spend; a server-side one must be checked out first.
    if (chain.wallet === 'client') chain.holder = data.vendorId;
    else fail(RULES.SPEND_BY_NON_HOLDER, `${data.vendorId} spent a server-side wallet nobody checked out`);
  } else if (chain.holder !== data.vendorId) {
    fail(RULES.SPEND_BY_NON_HOLDER, `${data.vendorId} spent while ${chain.holder} holds the chain`);
  }
  if (chain.sliceEnd !== undefined && data.toIndex > chain.sliceEnd) {
    fail(
      RULES.SPEND_BEYOND_SLICE,
      `spent up to ${data.toIndex}, the checked-out slice ends at ${chain.sliceEnd}`,
    );
  }
}

/** False when the spend's word does not hash down to the chain: a forgery, not to be applied. */
function checkRange(
  chain: ChainRecord,
  data: CoinsSpent['data'],
  fail: (rule: RuleCode, detail: string) => void,
): boolean {
  const { fromIndex, toIndex, payword } = data;
  if (toIndex > chain.length) {
    fail(RULES.BEYOND_CHAIN_END, `spent up to ${toIndex}, the chain has ${chain.length} coins`);
    return true;
  }
  if (fromIndex < chain.index) {
    fail(
      RULES.POSITION_REPLAYED,
      `positions ${fromIndex}..${Math.min(toIndex, chain.index - 1)} were already accepted (index is ${chain.index})`,
    );
  } else if (fromIndex > chain.index) {
    fail(RULES.INDEX_SKIPPED, `spend starts at ${fromIndex}, the chain's index is ${chain.index}`);
  }
  const word = chain.words.check(toIndex, payword);
  if (word === 'match') {
    chain.words.add(toIndex, payword);
  } else if (word === 'disagree') {
    fail(
      RULES.HASH_CROSS_CHECK_FAILED,
      `the auditor's hash and the protocol library's disagree on W[${toIndex}]`,
    );
  } else {
    fail(
      RULES.PAYWORD_DOES_NOT_HASH,
      `the payword shown for position ${toIndex} does not hash to the chain's previous state ` +
        `(checked against the proven W[${chain.words.top}])`,
    );
    return false;
  }
  return true;
}
