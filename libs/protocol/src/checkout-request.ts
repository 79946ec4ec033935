import { CanonicalWriter } from './encoding.js';
import { PROTOCOL, ProtocolError } from './errors.js';
import { NONCE_BYTES } from './freshness.js';
import { parseHex } from './hex.js';
import { ED25519_SIGNATURE_BYTES, type KeyRing, type Signer } from './keys.js';
import { readObject } from './parse.js';
import { verifySigned, type SignatureCheck } from './signed.js';
import type { Hex } from './types.js';
import { checkId, checkInt, checkText, checkTimestamp } from './validate.js';

/** Domain tag of the wallet checkout request encoding. */
export const CHECKOUT_REQUEST_TAG = 'netpay/checkout-request/v1';

/** Longest checkout token a request may carry (UTF-8 bytes). */
export const MAX_CHECKOUT_TOKEN_BYTES = 1024;

/**
 * A vendor asks the broker for a slice of a server-side wallet, signed with
 * its registered key: a checkout token is then worth nothing to anyone but
 * the vendor it names (they cannot sign as that vendor).
 */
export interface CheckoutRequestBody {
  readonly vendorId: string;
  /** The opaque token the customer gave this vendor. */
  readonly checkoutToken: string;
  readonly coins: number;
  readonly at: string;
  readonly nonce: Hex;
  readonly vendorKeyId: string;
}

export interface SignedCheckoutRequest extends CheckoutRequestBody {
  readonly signature: Hex;
}

export function validateCheckoutRequestBody(body: CheckoutRequestBody): void {
  checkId(body.vendorId, 'vendorId');
  checkText(body.checkoutToken, 'checkoutToken', MAX_CHECKOUT_TOKEN_BYTES);
  checkInt(body.coins, 'coins', 1);
  checkTimestamp(body.at, 'at');
  parseHex(body.nonce, { bytes: NONCE_BYTES, field: 'nonce' });
  checkId(body.vendorKeyId, 'vendorKeyId');
}

/** Canonical bytes: the tag, then vendorId, checkoutToken, coins, at, nonce (bytes), vendorKeyId. */
export function encodeCheckoutRequestBody(body: CheckoutRequestBody): Buffer {
  validateCheckoutRequestBody(body);
  return new CanonicalWriter(CHECKOUT_REQUEST_TAG)
    .string(body.vendorId)
    .string(body.checkoutToken)
    .uint(body.coins)
    .string(body.at)
    .bytes(Buffer.from(body.nonce, 'hex'))
    .string(body.vendorKeyId)
    .toBytes();
}

export function signCheckoutRequest(body: CheckoutRequestBody, signer: Signer): SignedCheckoutRequest {
  if (body.vendorKeyId !== signer.keyId) {
    throw new ProtocolError(
      PROTOCOL.BAD_ARGUMENT,
      'vendorKeyId',
      `body names ${body.vendorKeyId}, signer is ${signer.keyId}`,
    );
  }
  const clean: CheckoutRequestBody = {
    vendorId: body.vendorId,
    checkoutToken: body.checkoutToken,
    coins: body.coins,
    at: body.at,
    nonce: body.nonce,
    vendorKeyId: body.vendorKeyId,
  };
  return { ...clean, signature: signer.sign(encodeCheckoutRequestBody(clean)) };
}

const checkoutKind = {
  kind: 'checkout request',
  encode: encodeCheckoutRequestBody,
  keyId: (r: SignedCheckoutRequest) => r.vendorKeyId,
  signerId: (r: SignedCheckoutRequest) => r.vendorId,
};

/**
 * Checks the vendor's signature against its registered keys (records with
 * `ownerId`: a key of another vendor is SIGNATURE.KEY_OWNER_MISMATCH).
 */
export function verifyCheckoutRequest(
  request: SignedCheckoutRequest,
  vendorKeys: KeyRing,
): SignatureCheck<SignedCheckoutRequest> {
  return verifySigned(checkoutKind, request, vendorKeys);
}

export function parseSignedCheckoutRequest(value: unknown): SignedCheckoutRequest {
  const f = readObject(value, [
    'vendorId',
    'checkoutToken',
    'coins',
    'at',
    'nonce',
    'vendorKeyId',
    'signature',
  ]);
  const r = {
    vendorId: f.vendorId as string,
    checkoutToken: f.checkoutToken as string,
    coins: f.coins as number,
    at: f.at as string,
    nonce: f.nonce as string,
    vendorKeyId: f.vendorKeyId as string,
    signature: parseHex(f.signature, { bytes: ED25519_SIGNATURE_BYTES, field: 'signature' }),
  };
  validateCheckoutRequestBody(r);
  return r;
}
