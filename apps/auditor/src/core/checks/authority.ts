import { WALLET_GRANT_TTL_MS } from '#protocol';
import type { ChainRecord } from '../ledger/chain-record.js';
import type { Withdrawal } from '../ledger/ledger.js';
import { RULES } from '../rules.js';
import type { CheckContext } from './context.js';

/**
 * R2: a chain goes only to vendors the broker registered, and a server-side wallet only to (and
 * is debited only by) vendors its owner authorises at that moment. The owner's identity comes
 * from the customer and purchase streams the auditor replays; findings never name it.
 */

/** Reports a chain moving to (or spent by) a vendor id no `VendorRegistered` names. */
export function requireRegistered(
  ctx: CheckContext,
  chain: ChainRecord,
  vendorId: string,
  what: string,
): boolean {
  if (ctx.ledger.registeredVendors.has(vendorId)) return true;
  // After `--from`, the registration may lie before the window and is primed; still, say so.
  ctx.report.violation(
    RULES.UNREGISTERED_VENDOR,
    `${what}: chain ${chain.chainId} went to ${vendorId}, which the broker never registered`,
    chain.chainId,
  );
  return false;
}

/**
 * Reports a server-side wallet moved to or debited by a vendor its owner does not authorise now
 * (never did, or withdrew). Client-side chains, and wallets whose owner the log does not show
 * (a partial replay), are not concerned.
 *
 * A withdrawal takes effect on a chain where the chain records it (`SliceWithdrawn`,
 * `VendorWithdrawn`): the broker records `VendorDeauthorised` first, then each chain, and a
 * checkout or wallet grant given while the vendor was authorised still moves the wallet in
 * between (the holder judges a grant on the chain's own record, `withdrawnGrant` in `#chain`). So
 * a move or debit after the owner's withdrawal is authorised while this chain has not recorded
 * that withdrawal yet, for as long as such a grant can live — counted on the store's clock (when
 * each event was recorded), never on a time the acting vendor wrote into its event.
 */
export function requireAuthorised(
  ctx: CheckContext,
  chain: ChainRecord,
  vendorId: string,
  what: string,
): boolean {
  if (chain.wallet !== 'server') return true;
  const owner = ctx.ledger.customerOfChain.get(chain.chainId);
  if (owner === undefined) return true;
  if (ctx.ledger.authorisedVendors.get(owner)?.has(vendorId) ?? false) return true;
  const withdrawn = ctx.ledger.withdrawnVendors.get(owner)?.get(vendorId);
  if (withdrawn !== undefined && withdrawalPending(chain, vendorId, withdrawn, ctx.at.recordedAt))
    return true;
  ctx.report.violation(
    RULES.WALLET_VENDOR_NOT_AUTHORISED,
    `${what}: server-side wallet ${chain.chainId} and vendor ${vendorId}, which the wallet's owner ` +
      (withdrawn ? 'had withdrawn' : 'never authorised'),
    chain.chainId,
  );
  return false;
}

/**
 * How long after a withdrawal was recorded an authority given before it may still act on a chain
 * that has not recorded it: a wallet grant's life (from its issue on the broker's clock, checked on
 * the holder's), and as much again for those clocks and the time it takes to record.
 */
export const PENDING_WITHDRAWAL_MS = 2 * WALLET_GRANT_TTL_MS;

function withdrawalPending(
  chain: ChainRecord,
  vendorId: string,
  withdrawn: Withdrawal,
  recordedAt: Date,
): boolean {
  const recorded = chain.withdrawals.get(vendorId);
  if (recorded !== undefined && recorded > withdrawn.position) return false;
  // Both times are the store's: the acting event comes after the withdrawal in the log.
  const since = recordedAt.getTime() - withdrawn.recordedAt.getTime();
  return Number.isFinite(since) && since <= PENDING_WITHDRAWAL_MS;
}
