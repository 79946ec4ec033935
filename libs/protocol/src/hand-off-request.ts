import { CanonicalWriter } from './encoding.js';
import { PROTOCOL, ProtocolError, reject, type Rejection } from './errors.js';
import { isFresh, NONCE_BYTES } from './freshness.js';
import { parseHex } from './hex.js';
import { ED25519_SIGNATURE_BYTES, verifyEd25519, type KeyRing, type Signer } from './keys.js';
import { readObject } from './parse.js';
import type { Hex } from './types.js';
import { checkId, checkTimestamp } from './validate.js';
import {
  checkVendorKeyCertificate,
  type CertificateRejectionCode,
  type VendorKeyCertificate,
} from './vendor-certificate.js';

/** Domain tag of the hand-off request encoding. */
export const HAND_OFF_REQUEST_TAG = 'netpay/hand-off-request/v1';

/** Vendor `requester` asks vendor `holder` for chain `chainId`, signed with its certified key. */
export interface HandOffRequestBody {
  readonly chainId: string;
  /** The addressee: the vendor believed to hold the chain. */
  readonly holder: string;
  readonly requester: string;
  /** When it was signed (the requester's clock); the holder refuses it outside its window. */
  readonly at: string;
  /** 16 random bytes, hex: the holder refuses a second request with the same nonce. */
  readonly nonce: Hex;
  readonly requesterKeyId: string;
}

export interface SignedHandOffRequest extends HandOffRequestBody {
  readonly signature: Hex;
}

/** Rejection codes of `checkHandOffRequest` (besides the certificate's). */
export const HAND_OFF_REQUEST = {
  /** No signature or no certificate: an anonymous request. */
  UNSIGNED: 'HANDOFF.UNSIGNED',
  SIGNATURE_INVALID: 'HANDOFF.SIGNATURE_INVALID',
  /** Addressed to another holder. */
  MISADDRESSED: 'HANDOFF.MISADDRESSED',
  /** Signed outside the holder's freshness window. */
  STALE: 'HANDOFF.STALE',
  /** The nonce was seen already (checked by the holder, which keeps the nonces). */
  REPLAYED: 'HANDOFF.REPLAYED',
} as const;

export type HandOffRequestRejectionCode =
  (typeof HAND_OFF_REQUEST)[keyof typeof HAND_OFF_REQUEST] | CertificateRejectionCode;

export function validateHandOffRequestBody(body: HandOffRequestBody): void {
  checkId(body.chainId, 'chainId');
  checkId(body.holder, 'holder');
  checkId(body.requester, 'requester');
  if (body.holder === body.requester) {
    throw new ProtocolError(PROTOCOL.BAD_VALUE, 'requester', 'a vendor cannot ask itself for a chain');
  }
  checkTimestamp(body.at, 'at');
  parseHex(body.nonce, { bytes: NONCE_BYTES, field: 'nonce' });
  checkId(body.requesterKeyId, 'requesterKeyId');
}

/** Canonical bytes: the tag, then chainId, holder, requester, at, nonce (bytes), requesterKeyId. */
export function encodeHandOffRequestBody(body: HandOffRequestBody): Buffer {
  validateHandOffRequestBody(body);
  return new CanonicalWriter(HAND_OFF_REQUEST_TAG)
    .string(body.chainId)
    .string(body.holder)
    .string(body.requester)
    .string(body.at)
    .bytes(Buffer.from(body.nonce, 'hex'))
    .string(body.requesterKeyId)
    .toBytes();
}

/** The requesting vendor signs. */
export function signHandOffRequest(body: HandOffRequestBody, signer: Signer): SignedHandOffRequest {
  if (body.requesterKeyId !== signer.keyId) {
    throw new ProtocolError(
      PROTOCOL.BAD_ARGUMENT,
      'requesterKeyId',
      `body names ${body.requesterKeyId}, signer is ${signer.keyId}`,
    );
  }
  const clean: HandOffRequestBody = {
    chainId: body.chainId,
    holder: body.holder,
    requester: body.requester,
    at: body.at,
    nonce: body.nonce,
    requesterKeyId: body.requesterKeyId,
  };
  return { ...clean, signature: signer.sign(encodeHandOffRequestBody(clean)) };
}

export interface HandOffRequestCheck {
  /** The vendor checking: the request must be addressed to it. */
  readonly holder: string;
  /** The broker keys the holder pinned from its configuration. */
  readonly brokerKeys: KeyRing;
  readonly now: Date | string;
  readonly windowMs: number;
}

/**
 * Everything about a hand-off request that needs no state, in this order:
 * the requester's certificate (broker signature, validity, for the requester
 * and its key), the requester's signature with the certified key, the
 * addressee, the freshness. The nonce is the holder's to check.
 */
export function checkHandOffRequest(
  request: SignedHandOffRequest,
  certificate: VendorKeyCertificate,
  check: HandOffRequestCheck,
): { readonly ok: true } | Rejection<HandOffRequestRejectionCode> {
  const certified = checkVendorKeyCertificate(certificate, check.brokerKeys, {
    now: check.now,
    vendorId: request.requester,
    keyId: request.requesterKeyId,
    skewMs: check.windowMs,
  });
  if (!certified.ok) return certified;
  if (!verifyEd25519(certified.key.publicKey, encodeHandOffRequestBody(request), request.signature)) {
    return reject(
      HAND_OFF_REQUEST.SIGNATURE_INVALID,
      `hand-off request of ${request.requester} does not verify`,
    );
  }
  if (request.holder !== check.holder) {
    return reject(
      HAND_OFF_REQUEST.MISADDRESSED,
      `the request is addressed to ${request.holder}, not ${check.holder}`,
    );
  }
  if (!isFresh(request.at, check.now, check.windowMs)) {
    return reject(
      HAND_OFF_REQUEST.STALE,
      `the request was signed at ${request.at}, outside ${check.windowMs} ms of the holder's clock`,
    );
  }
  return { ok: true };
}

export function parseSignedHandOffRequest(value: unknown): SignedHandOffRequest {
  const f = readObject(value, [
    'chainId',
    'holder',
    'requester',
    'at',
    'nonce',
    'requesterKeyId',
    'signature',
  ]);
  const r = {
    chainId: f.chainId as string,
    holder: f.holder as string,
    requester: f.requester as string,
    at: f.at as string,
    nonce: f.nonce as string,
    requesterKeyId: f.requesterKeyId as string,
    signature: parseHex(f.signature, { bytes: ED25519_SIGNATURE_BYTES, field: 'signature' }),
  };
  validateHandOffRequestBody(r);
  return r;
}
