import { CanonicalWriter } from './encoding.js';
import { PROTOCOL, ProtocolError } from './errors.js';
import { parseHex } from './hex.js';
import type { KeyRing, Signer } from './keys.js';
import { verifySigned, type SignatureCheck } from './signed.js';
import type { HandOffCertificate, HandOffCertificateBody } from './types.js';
import { checkId, checkInt, checkTimestamp } from './validate.js';

/** Domain tag of the hand-off certificate encoding. */
export const HAND_OFF_TAG = 'netpay/hand-off/v1';

/** Payword bytes accepted in a certificate: the certificate does not name the algorithm. */
export const PAYWORD_WIDTHS: readonly number[] = [32, 16];

export function validateHandOffCertificateBody(body: HandOffCertificateBody): void {
  checkId(body.chainId, 'chainId');
  checkId(body.fromVendor, 'fromVendor');
  checkId(body.toVendor, 'toVendor');
  if (body.fromVendor === body.toVendor) {
    throw new ProtocolError(PROTOCOL.BAD_VALUE, 'toVendor', 'a vendor cannot hand a chain off to itself');
  }
  checkInt(body.index, 'index', 1);
  parseHex(body.lastPayword, { bytes: PAYWORD_WIDTHS, field: 'lastPayword' });
  checkTimestamp(body.at, 'at');
  checkId(body.vendorKeyId, 'vendorKeyId');
}

/**
 * Canonical bytes: the tag, then chainId, fromVendor, toVendor, index,
 * lastPayword (bytes), at, vendorKeyId.
 */
export function encodeHandOffCertificateBody(body: HandOffCertificateBody): Buffer {
  validateHandOffCertificateBody(body);
  return new CanonicalWriter(HAND_OFF_TAG)
    .string(body.chainId)
    .string(body.fromVendor)
    .string(body.toVendor)
    .uint(body.index)
    .bytes(Buffer.from(body.lastPayword, 'hex'))
    .string(body.at)
    .string(body.vendorKeyId)
    .toBytes();
}

/** The vendor handing off (`fromVendor`) signs. */
export function signHandOffCertificate(body: HandOffCertificateBody, signer: Signer): HandOffCertificate {
  if (body.vendorKeyId !== signer.keyId) {
    throw new ProtocolError(
      PROTOCOL.BAD_ARGUMENT,
      'vendorKeyId',
      `body names ${body.vendorKeyId}, signer is ${signer.keyId}`,
    );
  }
  const clean: HandOffCertificateBody = {
    chainId: body.chainId,
    fromVendor: body.fromVendor,
    toVendor: body.toVendor,
    index: body.index,
    lastPayword: body.lastPayword,
    at: body.at,
    vendorKeyId: body.vendorKeyId,
  };
  return { ...clean, signature: signer.sign(encodeHandOffCertificateBody(clean)) };
}

const handOffKind = {
  kind: 'hand-off certificate',
  encode: encodeHandOffCertificateBody,
  keyId: (c: HandOffCertificate) => c.vendorKeyId,
  signerId: (c: HandOffCertificate) => c.fromVendor,
};

/**
 * Checks the handing-off vendor's signature. When the key record has an
 * `ownerId`, it must be `fromVendor` (SIGNATURE.KEY_OWNER_MISMATCH otherwise).
 */
export function verifyHandOffCertificate(
  c: HandOffCertificate,
  keys: KeyRing,
): SignatureCheck<HandOffCertificate> {
  return verifySigned(handOffKind, c, keys);
}
