import { reject, SIGNATURE, type Rejection, type SignatureRejectionCode } from './errors.js';
import { ProtocolError } from './errors.js';
import { resolveKey, verifyEd25519, type KeyRing } from './keys.js';
import type { Hex, PublicKeyRecord } from './types.js';

export type SignatureCheck<T> =
  { readonly ok: true; readonly value: T; readonly key: PublicKeyRecord } | Rejection<SignatureRejectionCode>;

export interface SignedKind<T> {
  /** Used in messages: `touchstone`, `hand-off certificate`, `receipt`. */
  readonly kind: string;
  /** Validates the body and returns its canonical bytes (throws `ProtocolError`). */
  readonly encode: (body: T) => Buffer;
  readonly keyId: (body: T) => string;
  /** The signer the body names (checked against the key's `ownerId` when the key has one). */
  readonly signerId?: (body: T) => string;
}

/** Shared verification: body valid, key known and owned by the named signer, signature good. */
export function verifySigned<T extends { readonly signature: Hex }>(
  spec: SignedKind<T>,
  message: T,
  keys: KeyRing,
): SignatureCheck<T> {
  let bytes: Buffer;
  try {
    bytes = spec.encode(message);
  } catch (error) {
    if (error instanceof ProtocolError) return reject(SIGNATURE.MALFORMED, `${spec.kind}: ${error.message}`);
    throw error;
  }
  const keyId = spec.keyId(message);
  const key = resolveKey(keys, keyId);
  if (key === undefined) return reject(SIGNATURE.UNKNOWN_KEY, `${spec.kind}: no public key for ${keyId}`);
  const signer = spec.signerId?.(message);
  if (signer !== undefined && key.ownerId !== undefined && key.ownerId !== signer) {
    return reject(
      SIGNATURE.KEY_OWNER_MISMATCH,
      `${spec.kind}: key ${keyId} belongs to ${key.ownerId}, not ${signer}`,
    );
  }
  if (!verifyEd25519(key.publicKey, bytes, message.signature)) {
    return reject(SIGNATURE.INVALID, `${spec.kind}: signature does not verify with key ${keyId}`);
  }
  return { ok: true, value: message, key };
}
