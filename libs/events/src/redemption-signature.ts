import {
  CanonicalWriter,
  PROTOCOL,
  ProtocolError,
  resolveKey,
  verifyEd25519,
  type KeyRing,
  type Signer,
} from '#protocol';
import type {
  RangeRedeemed,
  RecordSignature,
  RedemptionItemAccepted,
  RedemptionItemRejected,
  VendorPaid,
} from './redemption.events.js';

/**
 * Canonical bytes of the redemption worker's own records, which it signs with its key and which
 * the payment step and the auditor verify. Whoever can append to the store can write such a
 * record; only the worker can sign it. The tags keep a verdict's signature from verifying as a
 * reservation's, and the stream name keeps a copied verdict from counting in another stream.
 */
export const VERDICT_SIGNATURE_TAG = 'netpay/redemption-verdict/v1';
export const RESERVATION_SIGNATURE_TAG = 'netpay/redemption-reservation/v1';
export const PAYOUT_SIGNATURE_TAG = 'netpay/redemption-payout/v1';

type VerdictRecord =
  | { readonly type: 'RedemptionItemAccepted'; readonly data: RedemptionItemAccepted['data'] }
  | { readonly type: 'RedemptionItemRejected'; readonly data: RedemptionItemRejected['data'] };

/** The bytes a verdict's signature covers (throws `ProtocolError` on a value that cannot be encoded). */
export function verdictSigningBytes(stream: string, verdict: VerdictRecord): Buffer {
  const d = verdict.data;
  if (d.item === undefined)
    throw new ProtocolError(PROTOCOL.BAD_VALUE, 'item', 'a signed verdict names its item');
  const w = new CanonicalWriter(VERDICT_SIGNATURE_TAG)
    .string(stream)
    .string(verdict.type)
    .string(d.batchId)
    .uint(d.item)
    .string(d.chainId)
    .uint(d.fromIndex)
    .uint(d.toIndex);
  if (verdict.type === 'RedemptionItemAccepted') w.uint(verdict.data.amount).string(verdict.data.currency);
  else w.string(verdict.data.reason).string(verdict.data.detail);
  return w.string(d.at).toBytes();
}

/** The bytes a reservation's signature covers (the stream is `redeemed-<chainId>`). */
export function reservationSigningBytes(data: RangeRedeemed['data']): Buffer {
  return new CanonicalWriter(RESERVATION_SIGNATURE_TAG)
    .string(data.chainId)
    .string(data.vendorId)
    .string(data.batchId)
    .uint(data.item)
    .uint(data.fromIndex)
    .uint(data.toIndex)
    .string(data.at)
    .toBytes();
}

/** The bytes a payout record's (`VendorPaid`) signature covers, bound to its vendor-day stream. */
export function payoutSigningBytes(stream: string, data: VendorPaid['data']): Buffer {
  return new CanonicalWriter(PAYOUT_SIGNATURE_TAG)
    .string(stream)
    .string(data.batchId)
    .string(data.vendorId)
    .uint(data.amount)
    .string(data.currency)
    .string(data.paymentRef)
    .string(data.at)
    .toBytes();
}

export function signRecord(signer: Signer, bytes: Uint8Array): RecordSignature {
  return { keyId: signer.keyId, value: signer.sign(bytes) };
}

/** `valid`, `unsigned` (no signature at all) or `invalid` (unknown key, bad value, malformed record). */
export type RecordSignatureStatus = 'valid' | 'unsigned' | 'invalid';

export function checkRecordSignature(
  signature: RecordSignature | undefined,
  bytes: () => Uint8Array,
  keys: KeyRing,
): RecordSignatureStatus {
  if (signature === undefined) return 'unsigned';
  if (typeof signature !== 'object' || signature === null) return 'invalid';
  const { keyId, value } = signature as Partial<RecordSignature>;
  if (typeof keyId !== 'string' || typeof value !== 'string') return 'invalid';
  const key = resolveKey(keys, keyId);
  if (key === undefined) return 'invalid';
  let message: Uint8Array;
  try {
    message = bytes();
  } catch (error) {
    if (error instanceof ProtocolError) return 'invalid';
    throw error;
  }
  return verifyEd25519(key.publicKey, message, value) ? 'valid' : 'invalid';
}
