import { CanonicalWriter } from './encoding.js';
import { PROTOCOL, ProtocolError, reject, type Rejection } from './errors.js';
import { parseHex } from './hex.js';
import { ED25519_SIGNATURE_BYTES, type KeyRing, type Signer } from './keys.js';
import { readObject } from './parse.js';
import { verifySigned } from './signed.js';
import type { Hex } from './types.js';
import { checkAfter, checkId, checkTimestamp } from './validate.js';

/** Domain tag of the wallet grant encoding. */
export const WALLET_GRANT_TAG = 'netpay/wallet-grant/v2';

/**
 * The broker says: until `notAfter`, vendor `vendorId` may take over the
 * server-side wallet chain `chainId` (its owner authorises that vendor). It
 * names the chain, never the customer. Short-lived: a withdrawn authorisation
 * stops new grants, and old ones run out.
 */
export interface WalletGrantBody {
  readonly chainId: string;
  readonly vendorId: string;
  /**
   * When the broker issued it (v2). A holder refuses a grant issued at or before the vendor's
   * latest withdrawal recorded on the chain (`VendorWithdrawn`, `SliceWithdrawn`): a grant from
   * before a withdrawal dies with it; re-authorising the vendor yields later grants.
   */
  readonly issuedAt: string;
  readonly notAfter: string;
  readonly brokerKeyId: string;
}

export interface WalletGrant extends WalletGrantBody {
  readonly signature: Hex;
}

/**
 * How long the broker's wallet grants last. A grant issued just before its vendor's withdrawal
 * still moves a wallet the chain has not yet recorded the withdrawal on, up to this long after it.
 */
export const WALLET_GRANT_TTL_MS = 60_000;

/** Rejection codes of `checkWalletGrant`. */
export const WALLET_GRANT = {
  INVALID: 'WALLET_GRANT.INVALID',
  EXPIRED: 'WALLET_GRANT.EXPIRED',
  /** A good grant, but for another chain or vendor. */
  MISMATCH: 'WALLET_GRANT.MISMATCH',
} as const;

export type WalletGrantRejectionCode = (typeof WALLET_GRANT)[keyof typeof WALLET_GRANT];

export function validateWalletGrantBody(body: WalletGrantBody): void {
  checkId(body.chainId, 'chainId');
  checkId(body.vendorId, 'vendorId');
  checkTimestamp(body.issuedAt, 'issuedAt');
  checkTimestamp(body.notAfter, 'notAfter');
  checkAfter(body.issuedAt, body.notAfter, 'notAfter');
  checkId(body.brokerKeyId, 'brokerKeyId');
}

/** Canonical bytes: the tag, then chainId, vendorId, issuedAt, notAfter, brokerKeyId. */
export function encodeWalletGrantBody(body: WalletGrantBody): Buffer {
  validateWalletGrantBody(body);
  return new CanonicalWriter(WALLET_GRANT_TAG)
    .string(body.chainId)
    .string(body.vendorId)
    .string(body.issuedAt)
    .string(body.notAfter)
    .string(body.brokerKeyId)
    .toBytes();
}

export function signWalletGrant(body: WalletGrantBody, broker: Signer): WalletGrant {
  if (body.brokerKeyId !== broker.keyId) {
    throw new ProtocolError(
      PROTOCOL.BAD_ARGUMENT,
      'brokerKeyId',
      `body names ${body.brokerKeyId}, signer is ${broker.keyId}`,
    );
  }
  const clean: WalletGrantBody = {
    chainId: body.chainId,
    vendorId: body.vendorId,
    issuedAt: body.issuedAt,
    notAfter: body.notAfter,
    brokerKeyId: body.brokerKeyId,
  };
  return { ...clean, signature: broker.sign(encodeWalletGrantBody(clean)) };
}

const grantKind = {
  kind: 'wallet grant',
  encode: encodeWalletGrantBody,
  keyId: (g: WalletGrant) => g.brokerKeyId,
};

/** A grant that lets `vendorId` take `chainId` now: broker-signed, unexpired, for both. */
export function checkWalletGrant(
  grant: WalletGrant,
  brokerKeys: KeyRing,
  use: { readonly chainId: string; readonly vendorId: string; readonly now: Date | string },
): { readonly ok: true } | Rejection<WalletGrantRejectionCode> {
  const signed = verifySigned(grantKind, grant, brokerKeys);
  if (!signed.ok) return reject(WALLET_GRANT.INVALID, signed.message);
  const now = typeof use.now === 'string' ? Date.parse(use.now) : use.now.getTime();
  if (now >= Date.parse(grant.notAfter))
    return reject(WALLET_GRANT.EXPIRED, `the wallet grant expired at ${grant.notAfter}`);
  if (grant.chainId !== use.chainId || grant.vendorId !== use.vendorId) {
    return reject(
      WALLET_GRANT.MISMATCH,
      `the grant is for ${grant.vendorId} on ${grant.chainId}, not ${use.vendorId} on ${use.chainId}`,
    );
  }
  return { ok: true };
}

export function parseWalletGrant(value: unknown): WalletGrant {
  const f = readObject(value, ['chainId', 'vendorId', 'issuedAt', 'notAfter', 'brokerKeyId', 'signature']);
  const g = {
    chainId: f.chainId as string,
    vendorId: f.vendorId as string,
    issuedAt: f.issuedAt as string,
    notAfter: f.notAfter as string,
    brokerKeyId: f.brokerKeyId as string,
    signature: parseHex(f.signature, { bytes: ED25519_SIGNATURE_BYTES, field: 'signature' }),
  };
  validateWalletGrantBody(g);
  return g;
}
