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
/** Domain tag of a checkout request that names `minCoins` (v1's fields, then minCoins). */
export const CHECKOUT_REQUEST_TAG_V2 = 'netpay/checkout-request/v2';
/** Domain tag of a checkout request that names the coins the vendor accepts (v2's, then currency and coinValue). */
export const CHECKOUT_REQUEST_TAG_V3 = 'netpay/checkout-request/v3';

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
  /** Paywords wanted: the broker releases up to this many of one chain. */
  readonly coins: number;
  /**
   * The fewest paywords the slice must hold (the purchase's price): a chain with fewer unspent
   * coins left is not handed out. Absent: 1 (the v1 encoding).
   */
  readonly minCoins?: number;
  /**
   * The coins the vendor accepts (its ACCEPT_CURRENCY and ACCEPT_COIN_VALUE), both or neither: a
   * chain of other coins is not handed out to it (it would refuse every payword of it). Absent:
   * any (the v1 and v2 encodings).
   */
  readonly currency?: string;
  readonly coinValue?: number;
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
  if (body.minCoins !== undefined) {
    checkInt(body.minCoins, 'minCoins', 1);
    if (body.minCoins > body.coins)
      throw new ProtocolError(PROTOCOL.BAD_ARGUMENT, 'minCoins', 'minCoins is more than coins');
  }
  if ((body.currency === undefined) !== (body.coinValue === undefined))
    throw new ProtocolError(PROTOCOL.BAD_ARGUMENT, 'coinValue', 'currency and coinValue go together');
  if (body.currency !== undefined && !/^[A-Z]{3}$/.test(body.currency))
    throw new ProtocolError(PROTOCOL.BAD_ARGUMENT, 'currency', 'currency: three capital letters');
  if (body.coinValue !== undefined) checkInt(body.coinValue, 'coinValue', 1);
  checkTimestamp(body.at, 'at');
  parseHex(body.nonce, { bytes: NONCE_BYTES, field: 'nonce' });
  checkId(body.vendorKeyId, 'vendorKeyId');
}

/**
 * Canonical bytes: the tag, then vendorId, checkoutToken, coins, at, nonce (bytes), vendorKeyId;
 * with `minCoins`, the v2 tag and minCoins last; with the accepted coins, the v3 tag, minCoins
 * (1 when absent), currency and coinValue last. A request without them encodes as before.
 */
export function encodeCheckoutRequestBody(body: CheckoutRequestBody): Buffer {
  validateCheckoutRequestBody(body);
  const { coinValue, currency } = body;
  const accepts = coinValue !== undefined && currency !== undefined;
  const tag = accepts
    ? CHECKOUT_REQUEST_TAG_V3
    : body.minCoins === undefined
      ? CHECKOUT_REQUEST_TAG
      : CHECKOUT_REQUEST_TAG_V2;
  const writer = new CanonicalWriter(tag)
    .string(body.vendorId)
    .string(body.checkoutToken)
    .uint(body.coins)
    .string(body.at)
    .bytes(Buffer.from(body.nonce, 'hex'))
    .string(body.vendorKeyId);
  if (accepts)
    writer
      .uint(body.minCoins ?? 1)
      .string(currency)
      .uint(coinValue);
  else if (body.minCoins !== undefined) writer.uint(body.minCoins);
  return writer.toBytes();
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
    ...(body.minCoins === undefined ? {} : { minCoins: body.minCoins }),
    ...(body.coinValue === undefined ? {} : { currency: body.currency, coinValue: body.coinValue }),
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
  const f = readObject(
    value,
    ['vendorId', 'checkoutToken', 'coins', 'at', 'nonce', 'vendorKeyId', 'signature'],
    ['minCoins', 'currency', 'coinValue'],
  );
  const r = {
    vendorId: f.vendorId as string,
    checkoutToken: f.checkoutToken as string,
    coins: f.coins as number,
    ...(f.minCoins === undefined ? {} : { minCoins: f.minCoins as number }),
    ...(f.currency === undefined ? {} : { currency: f.currency as string }),
    ...(f.coinValue === undefined ? {} : { coinValue: f.coinValue as number }),
    at: f.at as string,
    nonce: f.nonce as string,
    vendorKeyId: f.vendorKeyId as string,
    signature: parseHex(f.signature, { bytes: ED25519_SIGNATURE_BYTES, field: 'signature' }),
  };
  validateCheckoutRequestBody(r);
  return r;
}
