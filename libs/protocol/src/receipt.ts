import { CanonicalWriter } from './encoding.js';
import { PROTOCOL, ProtocolError } from './errors.js';
import type { KeyRing, Signer } from './keys.js';
import { verifySigned, type SignatureCheck } from './signed.js';
import type { Receipt, ReceiptBody } from './types.js';
import { checkCurrency, checkId, checkInt, checkText, checkTimestamp, MAX_TEXT_BYTES } from './validate.js';

/** Domain tag of the receipt encoding. */
export const RECEIPT_TAG = 'netpay/receipt/v1';

export function validateReceiptBody(body: ReceiptBody): void {
  checkId(body.receiptId, 'receiptId');
  checkId(body.vendorId, 'vendorId');
  checkId(body.chainId, 'chainId');
  checkInt(body.fromIndex, 'fromIndex', 1);
  checkInt(body.toIndex, 'toIndex', 1);
  if (body.toIndex < body.fromIndex) {
    throw new ProtocolError(PROTOCOL.BAD_VALUE, 'toIndex', 'must not be below fromIndex');
  }
  checkInt(body.amount, 'amount', 1);
  checkCurrency(body.currency, 'currency');
  checkText(body.resource, 'resource', MAX_TEXT_BYTES);
  checkTimestamp(body.at, 'at');
  checkId(body.vendorKeyId, 'vendorKeyId');
}

/**
 * Canonical bytes: the tag, then receiptId, vendorId, chainId, fromIndex,
 * toIndex, amount, currency, resource, at, vendorKeyId.
 */
export function encodeReceiptBody(body: ReceiptBody): Buffer {
  validateReceiptBody(body);
  return new CanonicalWriter(RECEIPT_TAG)
    .string(body.receiptId)
    .string(body.vendorId)
    .string(body.chainId)
    .uint(body.fromIndex)
    .uint(body.toIndex)
    .uint(body.amount)
    .string(body.currency)
    .string(body.resource)
    .string(body.at)
    .string(body.vendorKeyId)
    .toBytes();
}

/** The vendor signs a receipt after the spend was durably recorded. */
export function signReceipt(body: ReceiptBody, signer: Signer): Receipt {
  if (body.vendorKeyId !== signer.keyId) {
    throw new ProtocolError(
      PROTOCOL.BAD_ARGUMENT,
      'vendorKeyId',
      `body names ${body.vendorKeyId}, signer is ${signer.keyId}`,
    );
  }
  const clean: ReceiptBody = {
    receiptId: body.receiptId,
    vendorId: body.vendorId,
    chainId: body.chainId,
    fromIndex: body.fromIndex,
    toIndex: body.toIndex,
    amount: body.amount,
    currency: body.currency,
    resource: body.resource,
    at: body.at,
    vendorKeyId: body.vendorKeyId,
  };
  return { ...clean, signature: signer.sign(encodeReceiptBody(clean)) };
}

const receiptKind = {
  kind: 'receipt',
  encode: encodeReceiptBody,
  keyId: (r: Receipt) => r.vendorKeyId,
  signerId: (r: Receipt) => r.vendorId,
};

/** Checks the vendor's signature (and, when the key has an `ownerId`, that it is `vendorId`). */
export function verifyReceipt(r: Receipt, keys: KeyRing): SignatureCheck<Receipt> {
  return verifySigned(receiptKind, r, keys);
}
