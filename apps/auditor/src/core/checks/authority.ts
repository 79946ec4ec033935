import type { ChainRecord } from '../ledger/chain-record.js';
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
  const withdrawn = ctx.ledger.withdrawnVendors.get(owner)?.has(vendorId) ?? false;
  ctx.report.violation(
    RULES.WALLET_VENDOR_NOT_AUTHORISED,
    `${what}: server-side wallet ${chain.chainId} and vendor ${vendorId}, which the wallet's owner ` +
      (withdrawn ? 'had withdrawn' : 'never authorised'),
    chain.chainId,
  );
  return false;
}
