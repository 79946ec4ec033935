import type {
  CustomerRegistered,
  VendorAuthorised,
  VendorDeauthorised,
  VendorKeyRotated,
  VendorRegistered,
} from '#events';
import type { PublicKeyRecord } from '#protocol';
import type { Withdrawal } from '../ledger/ledger.js';
import { RULES } from '../rules.js';
import type { CheckContext } from './context.js';

/** Customers' identities are remembered only to find them where vendors can read (R5). */
export function onCustomerRegistered(ctx: CheckContext, data: CustomerRegistered['data']): void {
  ctx.figures.customers += 1;
  const ids = ctx.ledger.identities;
  ids.add(data.customerId, 'customer id', data.customerId);
  ids.add(data.customerId, 'name', data.name);
  ids.add(data.customerId, 'token hash', data.tokenHash);
  ids.add(data.customerId, 'bank account', data.bankAccount);
  ctx.ledger.bankAccounts.set(data.customerId, data.bankAccount);
}

export function onVendorAuthorisation(
  ctx: CheckContext,
  type: 'VendorAuthorised' | 'VendorDeauthorised',
  data: VendorAuthorised['data'] | VendorDeauthorised['data'],
): void {
  const { ledger } = ctx;
  ledger.identities.add(data.customerId, 'customer id', data.customerId);
  let authorised = ledger.authorisedVendors.get(data.customerId);
  if (authorised === undefined) ledger.authorisedVendors.set(data.customerId, (authorised = new Set()));
  let withdrawn = ledger.withdrawnVendors.get(data.customerId);
  if (withdrawn === undefined)
    ledger.withdrawnVendors.set(data.customerId, (withdrawn = new Map<string, Withdrawal>()));
  if (type === 'VendorAuthorised') {
    authorised.add(data.vendorId);
    withdrawn.delete(data.vendorId);
  } else {
    authorised.delete(data.vendorId);
    withdrawn.set(data.vendorId, { position: ctx.at.position, recordedAt: ctx.at.recordedAt });
  }
}

export function onVendorRegistered(ctx: CheckContext, data: VendorRegistered['data']): void {
  ctx.figures.vendors += 1;
  ctx.ledger.vendor(data.vendorId);
  ctx.ledger.registeredVendors.add(data.vendorId);
  registerVendorKey(ctx, data.vendorId, data.key);
}

export function onVendorKeyRotated(ctx: CheckContext, data: VendorKeyRotated['data']): void {
  registerVendorKey(ctx, data.vendorId, data.key);
}

/**
 * A vendor's key signs its hand-off certificates from now on. A key id is bound
 * to one public key of its vendor for good: registering it again with another
 * key would let that vendor disown what it signed (R2.VENDOR_KEY_CONFLICT).
 * Key ids are per vendor (certificates are checked with the signer's own keys),
 * so another vendor choosing the same id is no conflict.
 */
function registerVendorKey(ctx: CheckContext, vendorId: string, key: PublicKeyRecord): void {
  if (key.ownerId !== undefined && key.ownerId !== vendorId) {
    ctx.report.violation(
      RULES.VENDOR_KEY_CONFLICT,
      `vendor ${vendorId} registered key ${key.keyId} owned by ${key.ownerId}`,
    );
    return;
  }
  const keys = ctx.ledger.vendorKeys.get(vendorId) ?? new Map<string, PublicKeyRecord>();
  const known = keys.get(key.keyId);
  if (known !== undefined && known.publicKey !== key.publicKey) {
    ctx.report.violation(
      RULES.VENDOR_KEY_CONFLICT,
      `vendor ${vendorId} already registered key id ${key.keyId} with another public key`,
    );
    return;
  }
  keys.set(key.keyId, { keyId: key.keyId, publicKey: key.publicKey, ownerId: vendorId });
  ctx.ledger.vendorKeys.set(vendorId, keys);
}
