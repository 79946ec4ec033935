import { CanonicalWriter } from './encoding.js';
import { PROTOCOL, ProtocolError, reject, type Rejection } from './errors.js';
import { parseHex } from './hex.js';
import { ED25519_KEY_BYTES, ED25519_SIGNATURE_BYTES, type KeyRing, type Signer } from './keys.js';
import { readObject } from './parse.js';
import { verifySigned, type SignatureCheck } from './signed.js';
import type { Hex, PublicKeyRecord } from './types.js';
import { checkAfter, checkId, checkTimestamp } from './validate.js';

/** Domain tag of the vendor key certificate encoding. */
export const VENDOR_CERTIFICATE_TAG = 'netpay/vendor-key-certificate/v1';

/** The broker vouches that `publicKey` (id `keyId`) belongs to registered vendor `vendorId`. */
export interface VendorKeyCertificateBody {
  readonly vendorId: string;
  readonly keyId: string;
  /** Raw 32-byte Ed25519 public key, hex. */
  readonly publicKey: Hex;
  readonly notBefore: string;
  readonly notAfter: string;
  /** The broker key that signed the certificate. */
  readonly brokerKeyId: string;
}

export interface VendorKeyCertificate extends VendorKeyCertificateBody {
  readonly signature: Hex;
}

/** Rejection codes of `checkVendorKeyCertificate`. */
export const CERTIFICATE = {
  /** Malformed, unknown broker key, or the broker's signature does not verify. */
  INVALID: 'CERTIFICATE.INVALID',
  NOT_YET_VALID: 'CERTIFICATE.NOT_YET_VALID',
  EXPIRED: 'CERTIFICATE.EXPIRED',
  /** A good certificate, but for another vendor or key than the message names. */
  WRONG_VENDOR: 'CERTIFICATE.WRONG_VENDOR',
} as const;

export type CertificateRejectionCode = (typeof CERTIFICATE)[keyof typeof CERTIFICATE];

export function validateVendorKeyCertificateBody(body: VendorKeyCertificateBody): void {
  checkId(body.vendorId, 'vendorId');
  checkId(body.keyId, 'keyId');
  parseHex(body.publicKey, { bytes: ED25519_KEY_BYTES, field: 'publicKey' });
  checkTimestamp(body.notBefore, 'notBefore');
  checkTimestamp(body.notAfter, 'notAfter');
  checkAfter(body.notBefore, body.notAfter, 'notAfter');
  checkId(body.brokerKeyId, 'brokerKeyId');
}

/**
 * Canonical bytes: the tag, then vendorId, keyId, publicKey (bytes), notBefore,
 * notAfter, brokerKeyId.
 */
export function encodeVendorKeyCertificateBody(body: VendorKeyCertificateBody): Buffer {
  validateVendorKeyCertificateBody(body);
  return new CanonicalWriter(VENDOR_CERTIFICATE_TAG)
    .string(body.vendorId)
    .string(body.keyId)
    .bytes(Buffer.from(body.publicKey, 'hex'))
    .string(body.notBefore)
    .string(body.notAfter)
    .string(body.brokerKeyId)
    .toBytes();
}

/** The broker certifies a vendor key. */
export function signVendorKeyCertificate(
  body: VendorKeyCertificateBody,
  broker: Signer,
): VendorKeyCertificate {
  if (body.brokerKeyId !== broker.keyId) {
    throw new ProtocolError(
      PROTOCOL.BAD_ARGUMENT,
      'brokerKeyId',
      `body names ${body.brokerKeyId}, signer is ${broker.keyId}`,
    );
  }
  const clean: VendorKeyCertificateBody = {
    vendorId: body.vendorId,
    keyId: body.keyId,
    publicKey: body.publicKey,
    notBefore: body.notBefore,
    notAfter: body.notAfter,
    brokerKeyId: body.brokerKeyId,
  };
  return { ...clean, signature: broker.sign(encodeVendorKeyCertificateBody(clean)) };
}

const certificateKind = {
  kind: 'vendor key certificate',
  encode: encodeVendorKeyCertificateBody,
  keyId: (c: VendorKeyCertificate) => c.brokerKeyId,
};

/** The broker's signature alone (see `checkVendorKeyCertificate` for validity and subject). */
export function verifyVendorKeyCertificate(
  c: VendorKeyCertificate,
  brokerKeys: KeyRing,
): SignatureCheck<VendorKeyCertificate> {
  return verifySigned(certificateKind, c, brokerKeys);
}

export interface CertificateUse {
  readonly now: Date | string;
  /** The vendor the message names: the certificate must be for it. */
  readonly vendorId?: string;
  /** The key id the message names: the certificate must be for it. */
  readonly keyId?: string;
  /** Tolerated clock skew on `notBefore` (a certificate issued "now" by a broker slightly ahead). */
  readonly skewMs?: number;
}

/**
 * A certificate fit to verify a vendor's signature now: signed by a pinned
 * broker key, valid at `now`, for the vendor and key the message names. On
 * success, the certified key as a record owned by the vendor.
 */
export function checkVendorKeyCertificate(
  c: VendorKeyCertificate,
  brokerKeys: KeyRing,
  use: CertificateUse,
): { readonly ok: true; readonly key: PublicKeyRecord } | Rejection<CertificateRejectionCode> {
  const signed = verifyVendorKeyCertificate(c, brokerKeys);
  if (!signed.ok) return reject(CERTIFICATE.INVALID, signed.message);
  const now = typeof use.now === 'string' ? Date.parse(use.now) : use.now.getTime();
  if (!Number.isFinite(now)) throw new ProtocolError(PROTOCOL.BAD_ARGUMENT, 'now', 'not a time');
  if (now + (use.skewMs ?? 0) < Date.parse(c.notBefore))
    return reject(CERTIFICATE.NOT_YET_VALID, `certificate of ${c.vendorId} is valid from ${c.notBefore}`);
  if (now >= Date.parse(c.notAfter))
    return reject(CERTIFICATE.EXPIRED, `certificate of ${c.vendorId} expired at ${c.notAfter}`);
  if (
    (use.vendorId !== undefined && use.vendorId !== c.vendorId) ||
    (use.keyId !== undefined && use.keyId !== c.keyId)
  ) {
    return reject(
      CERTIFICATE.WRONG_VENDOR,
      `certificate is for ${c.vendorId}/${c.keyId}, the message names ${use.vendorId ?? c.vendorId}/${use.keyId ?? c.keyId}`,
    );
  }
  return { ok: true, key: { keyId: c.keyId, publicKey: c.publicKey, ownerId: c.vendorId } };
}

export function parseVendorKeyCertificate(value: unknown): VendorKeyCertificate {
  const f = readObject(value, [
    'vendorId',
    'keyId',
    'publicKey',
    'notBefore',
    'notAfter',
    'brokerKeyId',
    'signature',
  ]);
  const c = {
    vendorId: f.vendorId as string,
    keyId: f.keyId as string,
    publicKey: f.publicKey as string,
    notBefore: f.notBefore as string,
    notAfter: f.notAfter as string,
    brokerKeyId: f.brokerKeyId as string,
    signature: parseHex(f.signature, { bytes: ED25519_SIGNATURE_BYTES, field: 'signature' }),
  };
  validateVendorKeyCertificateBody(c);
  return c;
}
