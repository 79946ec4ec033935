import { CanonicalWriter } from './encoding.js';
import { PROTOCOL, ProtocolError } from './errors.js';
import { resolveKey, verifyEd25519, type KeyRing, type Signer } from './keys.js';
import type { Hex } from './types.js';

/**
 * The broker's signature over a chain event it wrote (`ChainIssued`, `WalletCheckedOut`,
 * `SliceWithdrawn`, `ChainRevoked`, `ChainClosed`). Every vendor may append to chain streams, so
 * such an event is believed for its signature, never for its type or its metadata.
 */
export interface BrokerEventSignature {
  readonly keyId: string;
  /** Ed25519 over `chainEventSigningBytes`, 64 bytes hex. */
  readonly value: Hex;
}

/** The data field that carries the broker's signature; it is not part of the signed bytes. */
export const BROKER_SIGNATURE_FIELD = 'brokerSignature';
export const CHAIN_EVENT_SIGNATURE_TAG = 'netpay/broker-chain-event/v1';

const MAX_DEPTH = 8;

/**
 * Canonical encoding of a JSON value: a one-byte kind, then the value (objects with their keys
 * sorted by code unit, `undefined` members left out, as JSON does). Only what chain events hold:
 * strings, non-negative safe integers, booleans, null, arrays, plain objects; anything else throws
 * `ProtocolError` (such an event does not verify).
 */
function writeValue(w: CanonicalWriter, value: unknown, depth: number): void {
  if (depth > MAX_DEPTH) throw new ProtocolError(PROTOCOL.BAD_VALUE, '', 'value nested too deep');
  if (typeof value === 'string') w.uint(1).string(value);
  else if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0)
      throw new ProtocolError(PROTOCOL.BAD_VALUE, '', `not a whole number: ${value}`);
    w.uint(2).uint(value);
  } else if (typeof value === 'boolean') w.uint(value ? 3 : 4);
  else if (value === null) w.uint(5);
  else if (Array.isArray(value)) {
    w.uint(6).uint(value.length);
    for (const item of value) writeValue(w, item, depth + 1);
  } else if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    w.uint(7).uint(entries.length);
    for (const [k, v] of entries) {
      w.string(k);
      writeValue(w, v, depth + 1);
    }
  } else throw new ProtocolError(PROTOCOL.BAD_VALUE, '', `cannot encode a ${typeof value}`);
}

function signingBytes(
  tag: string,
  field: string,
  stream: string,
  revision: number,
  type: string,
  data: unknown,
): Buffer {
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    throw new ProtocolError(PROTOCOL.BAD_VALUE, 'data', 'event data is not an object');
  const { [field]: _signature, ...signed } = data as Record<string, unknown>;
  const w = new CanonicalWriter(tag).string(stream).uint(revision).string(type);
  writeValue(w, signed, 0);
  return w.toBytes();
}

/**
 * The bytes the broker signs for a chain event: the stream, the revision the event takes in it
 * (so a copy appended elsewhere or later does not verify: no replayed checkout or issue), the
 * type, and the data without its signature field. Throws `ProtocolError` on what cannot be encoded.
 */
export function chainEventSigningBytes(
  stream: string,
  revision: number,
  type: string,
  data: unknown,
): Buffer {
  return signingBytes(CHAIN_EVENT_SIGNATURE_TAG, BROKER_SIGNATURE_FIELD, stream, revision, type, data);
}

/** The data field of a vendor's own signature over a chain event it wrote (`ChainClaimed`). */
export const VENDOR_SIGNATURE_FIELD = 'vendorSignature';
/** Its own tag: a vendor's signature is never taken for the broker's, nor the other way round. */
export const VENDOR_CHAIN_EVENT_SIGNATURE_TAG = 'netpay/vendor-chain-event/v1';

/**
 * The bytes a vendor signs for a chain event it writes in its own name (a claim): as the
 * broker's (stream, revision, type, data without `vendorSignature`), under the vendor tag.
 */
export function vendorChainEventSigningBytes(
  stream: string,
  revision: number,
  type: string,
  data: unknown,
): Buffer {
  return signingBytes(VENDOR_CHAIN_EVENT_SIGNATURE_TAG, VENDOR_SIGNATURE_FIELD, stream, revision, type, data);
}

/** The signature a vendor puts in `data.vendorSignature` (its certified key). */
export function signVendorChainEvent(
  signer: Signer,
  stream: string,
  revision: number,
  type: string,
  data: unknown,
): BrokerEventSignature {
  return {
    keyId: signer.keyId,
    value: signer.sign(vendorChainEventSigningBytes(stream, revision, type, data)),
  };
}

/** Whether `signature` (a `vendorSignature` value) verifies with `key` over the event. */
export function verifyVendorChainEvent(
  stream: string,
  revision: number,
  type: string,
  data: unknown,
  signature: BrokerEventSignature,
  publicKey: Hex,
): boolean {
  let bytes: Buffer;
  try {
    bytes = vendorChainEventSigningBytes(stream, revision, type, data);
  } catch (error) {
    if (error instanceof ProtocolError) return false;
    throw error;
  }
  return verifyEd25519(publicKey, bytes, signature.value);
}

/** The signature the broker puts in `data.brokerSignature`. */
export function signChainEvent(
  signer: Signer,
  stream: string,
  revision: number,
  type: string,
  data: unknown,
): BrokerEventSignature {
  return { keyId: signer.keyId, value: signer.sign(chainEventSigningBytes(stream, revision, type, data)) };
}

/** `valid`; `unsigned` (no signature field); `invalid` (unknown key, bad value, malformed data). */
export type ChainEventSignatureStatus = 'valid' | 'unsigned' | 'invalid';

export function checkChainEventSignature(
  stream: string,
  revision: number,
  type: string,
  data: unknown,
  keys: KeyRing,
): ChainEventSignatureStatus {
  if (typeof data !== 'object' || data === null) return 'invalid';
  const signature = (data as Record<string, unknown>)[BROKER_SIGNATURE_FIELD];
  if (signature === undefined) return 'unsigned';
  if (typeof signature !== 'object' || signature === null) return 'invalid';
  const { keyId, value } = signature as Partial<BrokerEventSignature>;
  if (typeof keyId !== 'string' || typeof value !== 'string') return 'invalid';
  const key = resolveKey(keys, keyId);
  if (key === undefined) return 'invalid';
  let bytes: Buffer;
  try {
    bytes = chainEventSigningBytes(stream, revision, type, data);
  } catch (error) {
    if (error instanceof ProtocolError) return 'invalid';
    throw error;
  }
  return verifyEd25519(key.publicKey, bytes, value) ? 'valid' : 'invalid';
}
