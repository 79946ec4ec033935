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

/** The broker's CRL entry: a revoked chain or pseudonym (P2P peer). */
export interface RevocationNoticeBody {
  readonly kind: 'chain' | 'pseudonym';
  readonly id: string;
  /** Free text, may be empty. */
  readonly reason: string;
  readonly at: string;
  readonly brokerKeyId: string;
}

export interface SignedRevocationNotice extends RevocationNoticeBody {
  readonly signature: Hex;
}

export function validateRevocationNoticeBody(body: RevocationNoticeBody): void {
  if (body.kind !== 'chain' && body.kind !== 'pseudonym')
    throw new ProtocolError(PROTOCOL.BAD_VALUE, 'kind', 'expected chain or pseudonym');
  checkId(body.id, 'id');
  if (typeof body.reason !== 'string')
    throw new ProtocolError(PROTOCOL.BAD_TYPE, 'reason', 'expected a string');
  if (Buffer.byteLength(body.reason, 'utf8') > MAX_TEXT_BYTES)
    throw new ProtocolError(PROTOCOL.BAD_LENGTH, 'reason', `expected at most ${MAX_TEXT_BYTES} UTF-8 bytes`);
  checkTimestamp(body.at, 'at');
  checkId(body.brokerKeyId, 'brokerKeyId');
}

/** Canonical bytes: the tag, then kind, id, reason, at, brokerKeyId. */
export function encodeRevocationNoticeBody(body: RevocationNoticeBody): Buffer {
  validateRevocationNoticeBody(body);
  return new CanonicalWriter(REVOCATION_NOTICE_TAG)
    .string(body.kind)
    .string(body.id)
    .string(body.reason)
    .string(body.at)
    .string(body.brokerKeyId)
    .toBytes();
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
  const f = readObject(value, ['kind', 'id', 'reason', 'at', 'brokerKeyId', 'signature']);
  const n = {
    kind: f.kind as 'chain' | 'pseudonym',
    id: f.id as string,
    reason: f.reason as string,
    at: f.at as string,
    brokerKeyId: f.brokerKeyId as string,
    signature: parseHex(f.signature, { bytes: ED25519_SIGNATURE_BYTES, field: 'signature' }),
  };
  validateRevocationNoticeBody(n);
  return n;
}
