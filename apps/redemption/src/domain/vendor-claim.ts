import type { RedemptionItem } from '#events';
import { CanonicalWriter, resolveKey, verifyEd25519, type Hex, type KeyRing, type Signer } from '#protocol';

/** Domain tag of a vendor's redemption claim. */
export const REDEMPTION_CLAIM_TAG = 'netpay/redemption-claim/v1';

/** A vendor's own redemption batch for a day, signed with a key it registered with the broker. */
export interface VendorClaimBody {
  readonly vendorId: string;
  readonly businessDay: string;
  /** Chosen by the vendor; the same claim id names the same batch (retries change nothing). */
  readonly claimId: string;
  readonly items: readonly RedemptionItem[];
  readonly vendorKeyId: string;
}

export interface VendorClaim extends VendorClaimBody {
  readonly signature: Hex;
}

/**
 * Canonical bytes: the tag, vendorId, businessDay, claimId, the item count, then per item
 * chainId, fromIndex, toIndex, proofPayword (bytes), and last vendorKeyId.
 */
export function encodeVendorClaim(body: VendorClaimBody): Buffer {
  const w = new CanonicalWriter(REDEMPTION_CLAIM_TAG)
    .string(body.vendorId)
    .string(body.businessDay)
    .string(body.claimId)
    .uint(body.items.length);
  for (const item of body.items) {
    w.string(item.chainId)
      .uint(item.fromIndex)
      .uint(item.toIndex)
      .bytes(Buffer.from(item.proofPayword, 'hex'));
  }
  return w.string(body.vendorKeyId).toBytes();
}

export function signVendorClaim(body: VendorClaimBody, signer: Signer): VendorClaim {
  return { ...body, signature: signer.sign(encodeVendorClaim(body)) };
}

/** Whether the claim is signed by a key `claim.vendorId` registered; a reason when not. */
export function checkVendorClaimSignature(
  claim: VendorClaim,
  vendorKeys: KeyRing,
): { readonly ok: true } | { readonly ok: false; readonly message: string } {
  const key = resolveKey(vendorKeys, claim.vendorKeyId);
  if (key === undefined)
    return {
      ok: false,
      message: `no key ${claim.vendorKeyId} in use for ${claim.vendorId} (unknown or retired)`,
    };
  if (key.ownerId !== undefined && key.ownerId !== claim.vendorId) {
    return { ok: false, message: `key ${claim.vendorKeyId} belongs to ${key.ownerId}` };
  }
  let bytes: Buffer;
  try {
    bytes = encodeVendorClaim(claim);
  } catch (e) {
    return { ok: false, message: `claim cannot be encoded: ${e instanceof Error ? e.message : String(e)}` };
  }
  return verifyEd25519(key.publicKey, bytes, claim.signature)
    ? { ok: true }
    : { ok: false, message: `signature does not verify with key ${claim.vendorKeyId}` };
}
