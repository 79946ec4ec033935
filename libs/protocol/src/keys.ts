import {
  createPrivateKey,
  createPublicKey,
  randomBytes as nodeRandomBytes,
  sign as nodeSign,
  verify as nodeVerify,
  type KeyObject,
} from 'node:crypto';
import { PROTOCOL, ProtocolError } from './errors.js';
import { bytesToHex, isHex } from './hex.js';
import type { Hex, PublicKeyRecord } from './types.js';
import { checkId } from './validate.js';

/** Raw Ed25519 keys are 32 bytes, signatures 64. */
export const ED25519_KEY_BYTES = 32;
export const ED25519_SIGNATURE_BYTES = 64;

// DER prefixes turning a raw 32-byte Ed25519 key into PKCS#8 / SPKI (RFC 8410).
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** A key pair as stored in config: raw hex, no PEM. Keep `privateKey` secret. */
export interface SigningKey {
  readonly keyId: string;
  /** Raw 32-byte Ed25519 private key (the RFC 8032 seed), hex. */
  readonly privateKey: Hex;
  /** Raw 32-byte Ed25519 public key, hex. */
  readonly publicKey: Hex;
}

/** Something that signs with one key. Ed25519 is deterministic: same bytes, same signature. */
export interface Signer {
  readonly keyId: string;
  readonly publicKey: Hex;
  sign(message: Uint8Array): Hex;
}

/**
 * Where verifiers find public keys by key id: a list of records, a map
 * keyId → record or public key hex, or a lookup function.
 */
export type KeyRing =
  | readonly PublicKeyRecord[]
  | ReadonlyMap<string, PublicKeyRecord | Hex>
  | ((keyId: string) => PublicKeyRecord | Hex | undefined);

export function generateSigningKey(
  keyId: string,
  randomBytes: (size: number) => Uint8Array = nodeRandomBytes,
): SigningKey {
  return signingKeyFromPrivate(keyId, bytesToHex(randomBytes(ED25519_KEY_BYTES)));
}

/** Completes a key pair from its raw private key. */
export function signingKeyFromPrivate(keyId: string, privateKey: Hex): SigningKey {
  checkId(keyId, 'keyId');
  const key = privateKeyObject(privateKey);
  const jwk = createPublicKey(key).export({ format: 'jwk' });
  const publicKey = Buffer.from(String(jwk.x), 'base64url').toString('hex');
  return { keyId, privateKey, publicKey };
}

export interface SignerOptions {
  /**
   * Count each signature this signer makes as verified: a later verification of it, over the
   * same bytes with this signer's public key, is then answered from memory (see `verifyEd25519`).
   * Ed25519 signatures made with a key always verify with its public key, which `createSigner`
   * derives from the private key itself. For a process that reads back what it signed (the
   * broker reads its own chain events from the log): not for one that signs much and verifies
   * none of it (a vendor's receipts), whose signatures would only crowd the memory out.
   */
  readonly rememberSignatures?: boolean;
}

/** A signer over a raw private key (hex) or a `SigningKey`. */
export function createSigner(key: SigningKey, options?: SignerOptions): Signer;
export function createSigner(keyId: string, privateKey: Hex, options?: SignerOptions): Signer;
export function createSigner(
  keyOrId: SigningKey | string,
  privateKeyOrOptions?: Hex | SignerOptions,
  maybeOptions?: SignerOptions,
): Signer {
  const privateKey = typeof privateKeyOrOptions === 'string' ? privateKeyOrOptions : undefined;
  const options = typeof privateKeyOrOptions === 'object' ? privateKeyOrOptions : maybeOptions;
  const given = typeof keyOrId === 'string' ? undefined : keyOrId;
  const full =
    typeof keyOrId === 'string'
      ? signingKeyFromPrivate(keyOrId, privateKey ?? '')
      : signingKeyFromPrivate(keyOrId.keyId, keyOrId.privateKey);
  // A config with a public key that does not belong to the private key is a deployment bug.
  if (given !== undefined && given.publicKey !== full.publicKey) {
    throw new ProtocolError(PROTOCOL.BAD_ARGUMENT, 'publicKey', 'does not match the private key');
  }
  const keyObject = privateKeyObject(full.privateKey);
  const remember = options?.rememberSignatures === true;
  return {
    keyId: full.keyId,
    publicKey: full.publicKey,
    sign: (message) => {
      const signature = nodeSign(null, message, keyObject).toString('hex');
      if (remember) rememberGood(full.publicKey + signature, message);
      return signature;
    },
  };
}

export function publicKeyRecord(key: SigningKey | Signer, ownerId?: string): PublicKeyRecord {
  return ownerId === undefined
    ? { keyId: key.keyId, publicKey: key.publicKey }
    : { keyId: key.keyId, publicKey: key.publicKey, ownerId };
}

/** Finds the record of `keyId` in a key ring. */
export function resolveKey(keys: KeyRing, keyId: string): PublicKeyRecord | undefined {
  let found: PublicKeyRecord | Hex | undefined;
  if (typeof keys === 'function') found = keys(keyId);
  else if (keys instanceof Map) found = (keys as ReadonlyMap<string, PublicKeyRecord | Hex>).get(keyId);
  else found = (keys as readonly PublicKeyRecord[]).find((record) => record.keyId === keyId);
  if (found === undefined) return undefined;
  return typeof found === 'string' ? { keyId, publicKey: found } : found;
}

// Kept by hand, as the hasher cache in hash-chain.ts (no dependency in libs/protocol; clear when full).
const publicKeyCache = new Map<string, KeyObject>();

/**
 * Signatures already found good, by key and signature, with the exact message they are good for.
 * Verification is deterministic, so the same (key, message, signature) gets the same answer: a
 * hit compares the message's bytes instead of verifying again. Measured (Node 24, this machine):
 * a verification costs ~111 µs, a signature ~37 µs; a hand-off verified the same vendor key
 * certificate three times (the giver on the request, the taker on the answer and on the
 * IndexHandedOff it reads back) and the hand-off certificate twice, and every reader of the log
 * verifies each hand-off event's vendor key certificate again. Only good answers are kept (a
 * flood of bad signatures cannot evict them), only short messages (these are all under 1 KiB),
 * and the map is emptied when full, as the caches above.
 */
const verified = new Map<string, Uint8Array>();
const VERIFIED_MAX = 4_096;
const VERIFIED_MESSAGE_MAX_BYTES = 2_048;

/**
 * Forgets the signatures found good, so that the next verification of each is a full one: for
 * benchmarks (which verify the same few signatures in a loop, and must measure verifying).
 */
export function forgetVerifiedSignatures(): void {
  verified.clear();
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.length).equals(b);
}

/** Verifies an Ed25519 signature; malformed keys or signatures simply do not verify. */
export function verifyEd25519(publicKey: Hex, message: Uint8Array, signature: Hex): boolean {
  if (!isHex(signature, ED25519_SIGNATURE_BYTES) || !isHex(publicKey, ED25519_KEY_BYTES)) return false;
  const memoKey = publicKey + signature;
  const known = verified.get(memoKey);
  if (known !== undefined && sameBytes(known, message)) return true;
  const good = verifyUncached(publicKey, message, signature);
  if (good) rememberGood(memoKey, message);
  return good;
}

/** Keeps a good (key + signature, message), within the memory's bounds. */
function rememberGood(memoKey: string, message: Uint8Array): void {
  if (message.length > VERIFIED_MESSAGE_MAX_BYTES) return;
  if (verified.size >= VERIFIED_MAX) verified.clear();
  // A copy: the caller may reuse its buffer.
  verified.set(memoKey, new Uint8Array(message));
}

function verifyUncached(publicKey: Hex, message: Uint8Array, signature: Hex): boolean {
  let key = publicKeyCache.get(publicKey);
  if (key === undefined) {
    try {
      key = createPublicKey({
        key: Buffer.concat([SPKI_PREFIX, Buffer.from(publicKey, 'hex')]),
        format: 'der',
        type: 'spki',
      });
    } catch {
      return false;
    }
    if (publicKeyCache.size >= 1024) publicKeyCache.clear();
    publicKeyCache.set(publicKey, key);
  }
  return nodeVerify(null, message, key, Buffer.from(signature, 'hex'));
}

function privateKeyObject(privateKey: Hex): KeyObject {
  if (!isHex(privateKey, ED25519_KEY_BYTES)) {
    throw new ProtocolError(PROTOCOL.BAD_ARGUMENT, 'privateKey', 'expected 32 bytes of lowercase hex');
  }
  return createPrivateKey({
    key: Buffer.concat([PKCS8_PREFIX, Buffer.from(privateKey, 'hex')]),
    format: 'der',
    type: 'pkcs8',
  });
}
