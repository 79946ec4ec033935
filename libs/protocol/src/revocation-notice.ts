import { CanonicalWriter } from './encoding.js';
import { PROTOCOL, ProtocolError } from './errors.js';
import { parseHex } from './hex.js';
import { ED25519_SIGNATURE_BYTES, type KeyRing, type Signer } from './keys.js';
import { readObject } from './parse.js';
import { verifySigned, type SignatureCheck } from './signed.js';
import type { Hex } from './types.js';
import { checkId, checkTimestamp, MAX_TEXT_BYTES } from './validate.js';

/** Domain tag of the revocation notice encoding. */
export const REVOCATION_NOTICE_TAG = 'netpay/revocation-notice/v1';

/**
 * What a notice names: a chain, a P2P pseudonym proven to double spend (the CIS), a vendor
 * suspended for fraud or a customer revoked for a proven double spend (the broker).
 */
export const REVOCATION_KINDS = ['chain', 'pseudonym', 'vendor', 'customer'] as const;
export type RevocationKind = (typeof REVOCATION_KINDS)[number];

/**
 * The broker's CRL entry: a revoked chain, pseudonym (P2P peer), vendor or customer. One signed
 * notice type for all four (issue 20: "the same mechanism"). A vendor's or customer's revocation
 * can be lifted by the operator: a later notice (`at`) for the same kind and id with `lifted: true`.
 */
export interface RevocationNoticeBody {
  readonly kind: RevocationKind;
  readonly id: string;
  /** Free text, may be empty. */
  readonly reason: string;
  readonly at: string;
  readonly brokerKeyId: string;
  /** Present (true) only on a notice lifting an earlier one (vendor and customer kinds). */
  readonly lifted?: true;
}

export interface SignedRevocationNotice extends RevocationNoticeBody {
  readonly signature: Hex;
}

export function validateRevocationNoticeBody(body: RevocationNoticeBody): void {
  if (!(REVOCATION_KINDS as readonly string[]).includes(body.kind))
    throw new ProtocolError(PROTOCOL.BAD_VALUE, 'kind', `expected one of ${REVOCATION_KINDS.join(', ')}`);
  if (body.lifted !== undefined && body.lifted !== true)
    throw new ProtocolError(PROTOCOL.BAD_VALUE, 'lifted', 'expected true or absent');
  if (body.lifted && body.kind !== 'vendor' && body.kind !== 'customer')
    throw new ProtocolError(PROTOCOL.BAD_VALUE, 'lifted', 'only a vendor or customer revocation is lifted');
  checkId(body.id, 'id');
  if (typeof body.reason !== 'string')
    throw new ProtocolError(PROTOCOL.BAD_TYPE, 'reason', 'expected a string');
  if (Buffer.byteLength(body.reason, 'utf8') > MAX_TEXT_BYTES)
    throw new ProtocolError(PROTOCOL.BAD_LENGTH, 'reason', `expected at most ${MAX_TEXT_BYTES} UTF-8 bytes`);
  checkTimestamp(body.at, 'at');
  checkId(body.brokerKeyId, 'brokerKeyId');
}

/**
 * Canonical bytes: the tag, then kind, id, reason, at, brokerKeyId, and `lifted` only on a
 * lifting notice (so every notice signed before lifting existed keeps its bytes; fields are
 * length-prefixed, so a revocation's bytes are never a lift's).
 */
export function encodeRevocationNoticeBody(body: RevocationNoticeBody): Buffer {
  validateRevocationNoticeBody(body);
  const w = new CanonicalWriter(REVOCATION_NOTICE_TAG)
    .string(body.kind)
    .string(body.id)
    .string(body.reason)
    .string(body.at)
    .string(body.brokerKeyId);
  if (body.lifted) w.string('lifted');
  return w.toBytes();
}

export function signRevocationNotice(body: RevocationNoticeBody, broker: Signer): SignedRevocationNotice {
  if (body.brokerKeyId !== broker.keyId) {
    throw new ProtocolError(
      PROTOCOL.BAD_ARGUMENT,
      'brokerKeyId',
      `body names ${body.brokerKeyId}, signer is ${broker.keyId}`,
    );
  }
  const clean: RevocationNoticeBody = {
    kind: body.kind,
    id: body.id,
    reason: body.reason,
    at: body.at,
    brokerKeyId: body.brokerKeyId,
    ...(body.lifted ? { lifted: true as const } : {}),
  };
  return { ...clean, signature: broker.sign(encodeRevocationNoticeBody(clean)) };
}

const noticeKind = {
  kind: 'revocation notice',
  encode: encodeRevocationNoticeBody,
  keyId: (n: SignedRevocationNotice) => n.brokerKeyId,
};

/** Checks the broker's signature (pinned broker keys only). */
export function verifyRevocationNotice(
  notice: SignedRevocationNotice,
  brokerKeys: KeyRing,
): SignatureCheck<SignedRevocationNotice> {
  return verifySigned(noticeKind, notice, brokerKeys);
}

export function parseSignedRevocationNotice(value: unknown): SignedRevocationNotice {
  const f = readObject(value, ['kind', 'id', 'reason', 'at', 'brokerKeyId', 'signature'], ['lifted']);
  const n: SignedRevocationNotice = {
    kind: f.kind as RevocationKind,
    id: f.id as string,
    reason: f.reason as string,
    at: f.at as string,
    brokerKeyId: f.brokerKeyId as string,
    signature: parseHex(f.signature, { bytes: ED25519_SIGNATURE_BYTES, field: 'signature' }),
    ...(f.lifted === undefined ? {} : { lifted: f.lifted as true }),
  };
  validateRevocationNoticeBody(n);
  return n;
}
