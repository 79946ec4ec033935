import { CanonicalWriter } from './encoding.js';
import {
  PROTOCOL,
  ProtocolError,
  reject,
  TOUCHSTONE,
  type Rejection,
  type TouchstoneRejectionCode,
} from './errors.js';
import { checkAlg, MAX_CHAIN_LENGTH, paywordBytes } from './hash-chain.js';
import { parseHex } from './hex.js';
import type { KeyRing, Signer } from './keys.js';
import { verifySigned, type SignatureCheck } from './signed.js';
import type { Touchstone, TouchstoneBody } from './types.js';
import {
  checkAfter,
  checkCurrency,
  checkId,
  checkInt,
  checkTimestamp,
  MAX_VENDOR_RESTRICTION,
} from './validate.js';

/** Domain tag of the touchstone encoding. */
export const TOUCHSTONE_TAG = 'netpay/touchstone/v1';

/** Throws a `ProtocolError` naming the first invalid field. */
export function validateTouchstoneBody(body: TouchstoneBody): void {
  checkId(body.chainId, 'chainId');
  try {
    checkAlg(body.alg);
  } catch {
    throw new ProtocolError(PROTOCOL.BAD_VALUE, 'alg', `expected sha256 or md5`);
  }
  parseHex(body.root, { bytes: paywordBytes(body.alg), field: 'root' });
  checkInt(body.length, 'length', 1, MAX_CHAIN_LENGTH);
  checkInt(body.coinValue, 'coinValue', 1);
  checkCurrency(body.currency, 'currency');
  checkTimestamp(body.issuedAt, 'issuedAt');
  checkTimestamp(body.expiresAt, 'expiresAt');
  checkAfter(body.issuedAt, body.expiresAt, 'expiresAt');
  if (body.vendorRestriction !== undefined) checkVendorRestriction(body.vendorRestriction);
  checkId(body.brokerKeyId, 'brokerKeyId');
}

function checkVendorRestriction(vendors: readonly string[]): void {
  if (!Array.isArray(vendors))
    throw new ProtocolError(PROTOCOL.BAD_TYPE, 'vendorRestriction', 'expected an array');
  // An empty list would mean "nobody may accept": almost surely a bug, and ambiguous with "absent".
  if (vendors.length === 0 || vendors.length > MAX_VENDOR_RESTRICTION) {
    throw new ProtocolError(
      PROTOCOL.BAD_LENGTH,
      'vendorRestriction',
      `expected 1..${MAX_VENDOR_RESTRICTION} vendors`,
    );
  }
  vendors.forEach((vendor, i) => checkId(vendor, `vendorRestriction.${i}`));
  if (new Set(vendors).size !== vendors.length) {
    throw new ProtocolError(PROTOCOL.BAD_VALUE, 'vendorRestriction', 'duplicate vendor');
  }
}

/**
 * Canonical bytes of a touchstone body (see README): the tag, then chainId, alg,
 * root (bytes), length, coinValue, currency, issuedAt, expiresAt,
 * vendorRestriction (optional list), brokerKeyId. A `signature` field is ignored.
 */
export function encodeTouchstoneBody(body: TouchstoneBody): Buffer {
  validateTouchstoneBody(body);
  return new CanonicalWriter(TOUCHSTONE_TAG)
    .string(body.chainId)
    .string(body.alg)
    .bytes(Buffer.from(body.root, 'hex'))
    .uint(body.length)
    .uint(body.coinValue)
    .string(body.currency)
    .string(body.issuedAt)
    .string(body.expiresAt)
    .optionalStrings(body.vendorRestriction)
    .string(body.brokerKeyId)
    .toBytes();
}

/** The body alone, fields in canonical order (drops `signature` and anything unknown). */
export function touchstoneBody(t: TouchstoneBody): TouchstoneBody {
  return {
    chainId: t.chainId,
    alg: t.alg,
    root: t.root,
    length: t.length,
    coinValue: t.coinValue,
    currency: t.currency,
    issuedAt: t.issuedAt,
    expiresAt: t.expiresAt,
    ...(t.vendorRestriction === undefined ? {} : { vendorRestriction: [...t.vendorRestriction] }),
    brokerKeyId: t.brokerKeyId,
  };
}

/** The broker signs a touchstone. Throws if the body is invalid or names another key. */
export function signTouchstone(body: TouchstoneBody, signer: Signer): Touchstone {
  if (body.brokerKeyId !== signer.keyId) {
    throw new ProtocolError(
      PROTOCOL.BAD_ARGUMENT,
      'brokerKeyId',
      `body names ${body.brokerKeyId}, signer is ${signer.keyId}`,
    );
  }
  const clean = touchstoneBody(body);
  return { ...clean, signature: signer.sign(encodeTouchstoneBody(clean)) };
}

const touchstoneKind = {
  kind: 'touchstone',
  encode: encodeTouchstoneBody,
  keyId: (t: Touchstone) => t.brokerKeyId,
};

/** Checks the broker's signature. Rejections: SIGNATURE.UNKNOWN_KEY | INVALID | MALFORMED. */
export function verifyTouchstone(t: Touchstone, keys: KeyRing): SignatureCheck<Touchstone> {
  return verifySigned(touchstoneKind, t, keys);
}

export interface TouchstoneUsage {
  /** The clock's current time (ISO string or Date). */
  readonly now: string | Date;
  /** The vendor about to accept a spend (checked against vendorRestriction). */
  readonly vendorId?: string;
}

/** Whether a (verified) touchstone may be spent now, at this vendor. */
export function checkTouchstoneUsable(
  t: TouchstoneBody,
  usage: TouchstoneUsage,
): { readonly ok: true } | Rejection<TouchstoneRejectionCode> {
  const now = typeof usage.now === 'string' ? Date.parse(usage.now) : usage.now.getTime();
  if (!Number.isFinite(now)) throw new ProtocolError(PROTOCOL.BAD_ARGUMENT, 'now', 'not a time');
  if (now < Date.parse(t.issuedAt))
    return reject(TOUCHSTONE.NOT_YET_VALID, `chain ${t.chainId} is valid from ${t.issuedAt}`);
  if (now >= Date.parse(t.expiresAt))
    return reject(TOUCHSTONE.EXPIRED, `chain ${t.chainId} expired at ${t.expiresAt}`);
  if (
    usage.vendorId !== undefined &&
    t.vendorRestriction !== undefined &&
    !t.vendorRestriction.includes(usage.vendorId)
  ) {
    return reject(TOUCHSTONE.VENDOR_NOT_ALLOWED, `chain ${t.chainId} may not be spent at ${usage.vendorId}`);
  }
  return { ok: true };
}
