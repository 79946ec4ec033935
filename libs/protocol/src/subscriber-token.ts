import { CanonicalWriter } from './encoding.js';
import { PROTOCOL, ProtocolError, reject, type Rejection } from './errors.js';
import { parseHex } from './hex.js';
import { ED25519_SIGNATURE_BYTES, type KeyRing, type Signer } from './keys.js';
import { readObject } from './parse.js';
import { verifySigned } from './signed.js';
import type { Hex } from './types.js';
import { checkAfter, checkId, checkText, checkTimestamp } from './validate.js';
import { checkWalletGrant, parseWalletGrant, type WalletGrant } from './wallet-grant.js';

/** Domain tag of the subscriber token encoding (Mobile-NetPay). */
export const SUBSCRIBER_TOKEN_TAG = 'netpay/subscriber-token/v1';

/** Prefix of the compact form: `nst1.<base64url of the JSON token>`. */
export const SUBSCRIBER_TOKEN_PREFIX = 'nst1.';

/** Most wallet chains one token may name (keeps the compact form under 4 KiB). */
export const MAX_SUBSCRIBER_TOKEN_CHAINS = 4;

/** Longest opaque wallet handle (the broker's sealed checkout token). */
export const MAX_WALLET_HANDLE_BYTES = 1024;

/**
 * The operator (the Mobile-NetPay Service Provider, which is the broker) says: until
 * `notAfter`, vendor `vendorId` serves the subscriber known to it as `subscriber` — a pseudonym
 * of that vendor only, never the MSISDN — whose server-side wallet is `wallet` (an opaque handle
 * only the operator can open: the vendor checks a slice out with it) and the chains `chainIds`.
 *
 * `grants` are the operator's wallet grants for this vendor on those chains: when another vendor
 * holds the wallet, this vendor takes it over from that vendor with them, without asking the
 * operator (Mobile-NetPay: SP → first vendor → next vendor). The token is what a real
 * operator's gateway injects into the subscriber's requests; it names nothing else.
 */
export interface SubscriberTokenBody {
  readonly subscriber: string;
  readonly vendorId: string;
  readonly wallet: string;
  readonly chainIds: readonly string[];
  readonly notBefore: string;
  readonly notAfter: string;
  readonly brokerKeyId: string;
}

export interface SubscriberToken extends SubscriberTokenBody {
  readonly signature: Hex;
  /** One per chain id, for `vendorId`, expiring no later than the token. */
  readonly grants: readonly WalletGrant[];
}

/** Rejection codes of `checkSubscriberToken`. */
export const SUBSCRIBER_TOKEN = {
  /** Not signed by a pinned operator key, or malformed. */
  INVALID: 'SUBSCRIBER_TOKEN.INVALID',
  EXPIRED: 'SUBSCRIBER_TOKEN.EXPIRED',
  NOT_YET_VALID: 'SUBSCRIBER_TOKEN.NOT_YET_VALID',
  /** A good token, but for another vendor. */
  WRONG_VENDOR: 'SUBSCRIBER_TOKEN.WRONG_VENDOR',
  /** A grant that is not the operator's, or not for this token's vendor and chains. */
  GRANT_INVALID: 'SUBSCRIBER_TOKEN.GRANT_INVALID',
} as const;

export type SubscriberTokenRejectionCode = (typeof SUBSCRIBER_TOKEN)[keyof typeof SUBSCRIBER_TOKEN];

export function validateSubscriberTokenBody(body: SubscriberTokenBody): void {
  checkId(body.subscriber, 'subscriber');
  checkId(body.vendorId, 'vendorId');
  checkText(body.wallet, 'wallet', MAX_WALLET_HANDLE_BYTES);
  if (!Array.isArray(body.chainIds) || body.chainIds.length > MAX_SUBSCRIBER_TOKEN_CHAINS) {
    throw new ProtocolError(
      PROTOCOL.BAD_LENGTH,
      'chainIds',
      `expected at most ${MAX_SUBSCRIBER_TOKEN_CHAINS} chain ids`,
    );
  }
  body.chainIds.forEach((id, i) => checkId(id, `chainIds.${i}`));
  if (new Set(body.chainIds).size !== body.chainIds.length) {
    throw new ProtocolError(PROTOCOL.BAD_VALUE, 'chainIds', 'duplicate chain id');
  }
  checkTimestamp(body.notBefore, 'notBefore');
  checkTimestamp(body.notAfter, 'notAfter');
  checkAfter(body.notBefore, body.notAfter, 'notAfter');
  checkId(body.brokerKeyId, 'brokerKeyId');
}

/** Canonical bytes: the tag, subscriber, vendorId, wallet, chainIds (list), notBefore, notAfter, brokerKeyId. */
export function encodeSubscriberTokenBody(body: SubscriberTokenBody): Buffer {
  validateSubscriberTokenBody(body);
  return new CanonicalWriter(SUBSCRIBER_TOKEN_TAG)
    .string(body.subscriber)
    .string(body.vendorId)
    .string(body.wallet)
    .optionalStrings(body.chainIds)
    .string(body.notBefore)
    .string(body.notAfter)
    .string(body.brokerKeyId)
    .toBytes();
}

/** Signs the body; `grants` must already be the operator's grants for the body's vendor and chains. */
export function signSubscriberToken(
  body: SubscriberTokenBody,
  grants: readonly WalletGrant[],
  operator: Signer,
): SubscriberToken {
  if (body.brokerKeyId !== operator.keyId) {
    throw new ProtocolError(
      PROTOCOL.BAD_ARGUMENT,
      'brokerKeyId',
      `body names ${body.brokerKeyId}, signer is ${operator.keyId}`,
    );
  }
  const clean: SubscriberTokenBody = {
    subscriber: body.subscriber,
    vendorId: body.vendorId,
    wallet: body.wallet,
    chainIds: [...body.chainIds],
    notBefore: body.notBefore,
    notAfter: body.notAfter,
    brokerKeyId: body.brokerKeyId,
  };
  return { ...clean, signature: operator.sign(encodeSubscriberTokenBody(clean)), grants: [...grants] };
}

const tokenKind = {
  kind: 'subscriber token',
  encode: encodeSubscriberTokenBody,
  keyId: (t: SubscriberToken) => t.brokerKeyId,
};

/**
 * A token vendor `use.vendorId` may act on now: signed by a pinned operator key, within its
 * validity, bound to that vendor, and each grant the operator's, for that vendor and one of the
 * token's chains.
 */
export function checkSubscriberToken(
  token: SubscriberToken,
  operatorKeys: KeyRing,
  use: { readonly vendorId: string; readonly now: Date | string },
): { readonly ok: true } | Rejection<SubscriberTokenRejectionCode> {
  const signed = verifySigned(tokenKind, token, operatorKeys);
  if (!signed.ok) return reject(SUBSCRIBER_TOKEN.INVALID, signed.message);
  const now = typeof use.now === 'string' ? Date.parse(use.now) : use.now.getTime();
  if (now >= Date.parse(token.notAfter)) {
    return reject(SUBSCRIBER_TOKEN.EXPIRED, `the subscriber token expired at ${token.notAfter}`);
  }
  if (now < Date.parse(token.notBefore)) {
    return reject(SUBSCRIBER_TOKEN.NOT_YET_VALID, `the subscriber token is valid from ${token.notBefore}`);
  }
  if (token.vendorId !== use.vendorId) {
    return reject(
      SUBSCRIBER_TOKEN.WRONG_VENDOR,
      `the subscriber token is for vendor ${token.vendorId}, not ${use.vendorId}`,
    );
  }
  for (const grant of token.grants) {
    const check = checkWalletGrant(grant, operatorKeys, {
      chainId: grant.chainId,
      vendorId: use.vendorId,
      now: use.now,
    });
    if (!check.ok || !token.chainIds.includes(grant.chainId) || grant.notAfter > token.notAfter) {
      return reject(SUBSCRIBER_TOKEN.GRANT_INVALID, `wallet grant for ${grant.chainId}: not usable here`);
    }
  }
  return { ok: true };
}

/** Strict parser of the JSON form (signature not checked: call `checkSubscriberToken`). */
export function parseSubscriberToken(value: unknown): SubscriberToken {
  const f = readObject(value, [
    'subscriber',
    'vendorId',
    'wallet',
    'chainIds',
    'notBefore',
    'notAfter',
    'brokerKeyId',
    'signature',
    'grants',
  ]);
  if (!Array.isArray(f.chainIds) || !f.chainIds.every((c) => typeof c === 'string')) {
    throw new ProtocolError(PROTOCOL.BAD_TYPE, 'chainIds', 'expected an array of strings');
  }
  if (!Array.isArray(f.grants) || f.grants.length > MAX_SUBSCRIBER_TOKEN_CHAINS) {
    throw new ProtocolError(
      PROTOCOL.BAD_TYPE,
      'grants',
      `expected an array of at most ${MAX_SUBSCRIBER_TOKEN_CHAINS}`,
    );
  }
  const token: SubscriberToken = {
    subscriber: f.subscriber as string,
    vendorId: f.vendorId as string,
    wallet: f.wallet as string,
    chainIds: f.chainIds,
    notBefore: f.notBefore as string,
    notAfter: f.notAfter as string,
    brokerKeyId: f.brokerKeyId as string,
    signature: parseHex(f.signature, { bytes: ED25519_SIGNATURE_BYTES, field: 'signature' }),
    grants: (f.grants as unknown[]).map((g) => parseWalletGrant(g)),
  };
  validateSubscriberTokenBody(token);
  return token;
}

/** The compact form a gateway injects in a header: `nst1.<base64url(JSON)>`. */
export function encodeSubscriberToken(token: SubscriberToken): string {
  return SUBSCRIBER_TOKEN_PREFIX + Buffer.from(JSON.stringify(token), 'utf8').toString('base64url');
}

export function isSubscriberToken(value: string): boolean {
  return value.startsWith(SUBSCRIBER_TOKEN_PREFIX);
}

/** Parses the compact form (throws `ProtocolError` when it is not one). */
export function decodeSubscriberToken(compact: string): SubscriberToken {
  if (!isSubscriberToken(compact) || compact.length > 8192) {
    throw new ProtocolError(PROTOCOL.BAD_VALUE, '', 'not a subscriber token (nst1.…)');
  }
  let json: unknown;
  try {
    json = JSON.parse(
      Buffer.from(compact.slice(SUBSCRIBER_TOKEN_PREFIX.length), 'base64url').toString('utf8'),
    );
  } catch {
    throw new ProtocolError(PROTOCOL.BAD_VALUE, '', 'subscriber token is not base64url JSON');
  }
  return parseSubscriberToken(json);
}
