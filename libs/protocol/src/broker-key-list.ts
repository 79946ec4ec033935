import { CanonicalWriter } from './encoding.js';
import { PROTOCOL, ProtocolError } from './errors.js';
import { isHex, parseHex } from './hex.js';
import { ED25519_KEY_BYTES, ED25519_SIGNATURE_BYTES, type KeyRing, type Signer } from './keys.js';
import { readObject } from './parse.js';
import { verifySigned, type SignatureCheck } from './signed.js';
import type { Hex, PublicKeyRecord } from './types.js';
import { checkId, checkInt, checkTimestamp } from './validate.js';

/** Domain tag of the broker key list encoding. */
export const BROKER_KEY_LIST_TAG = 'netpay/broker-key-list/v1';

/** Most keys one list may name (current and retired touchstone keys). */
export const MAX_BROKER_KEYS = 64;

/**
 * Every public key the broker signs touchstones, grants, certificates and notices with (current
 * first, then retired ones whose signatures still count), signed by the broker's **root** key.
 * Parties pin only the root (BROKER_ROOT_PUBLIC_KEYS) and learn the working keys from the newest
 * list they can verify, so rotating a working key changes no party's configuration.
 */
export interface BrokerKeyListBody {
  readonly brokerId: string;
  /** Grows by one with every list the broker publishes; the highest verified version wins. */
  readonly version: number;
  readonly keys: readonly { readonly keyId: string; readonly publicKey: Hex }[];
  readonly issuedAt: string;
  readonly rootKeyId: string;
}

export interface SignedBrokerKeyList extends BrokerKeyListBody {
  readonly signature: Hex;
}

export function validateBrokerKeyListBody(body: BrokerKeyListBody): void {
  checkId(body.brokerId, 'brokerId');
  checkInt(body.version, 'version', 1);
  const raw: unknown = body.keys;
  if (!Array.isArray(raw)) throw new ProtocolError(PROTOCOL.BAD_TYPE, 'keys', 'expected an array');
  const keys = body.keys;
  if (keys.length === 0 || keys.length > MAX_BROKER_KEYS)
    throw new ProtocolError(PROTOCOL.BAD_LENGTH, 'keys', `expected 1..${MAX_BROKER_KEYS} keys`);
  const seen = new Set<string>();
  keys.forEach((k, i) => {
    checkId(k.keyId, `keys[${i}].keyId`);
    if (!isHex(k.publicKey, ED25519_KEY_BYTES))
      throw new ProtocolError(PROTOCOL.BAD_HEX, `keys[${i}].publicKey`, 'expected 32 bytes of lowercase hex');
    if (seen.has(k.keyId)) throw new ProtocolError(PROTOCOL.BAD_VALUE, `keys[${i}].keyId`, 'repeated key id');
    seen.add(k.keyId);
  });
  checkTimestamp(body.issuedAt, 'issuedAt');
  checkId(body.rootKeyId, 'rootKeyId');
}

/** Canonical bytes: the tag, brokerId, version, the number of keys, each key id and key, issuedAt, rootKeyId. */
export function encodeBrokerKeyListBody(body: BrokerKeyListBody): Buffer {
  validateBrokerKeyListBody(body);
  const w = new CanonicalWriter(BROKER_KEY_LIST_TAG).string(body.brokerId).uint(body.version);
  w.uint(body.keys.length);
  for (const k of body.keys) w.string(k.keyId).string(k.publicKey);
  return w.string(body.issuedAt).string(body.rootKeyId).toBytes();
}

export function signBrokerKeyList(body: BrokerKeyListBody, root: Signer): SignedBrokerKeyList {
  if (body.rootKeyId !== root.keyId) {
    throw new ProtocolError(
      PROTOCOL.BAD_ARGUMENT,
      'rootKeyId',
      `body names ${body.rootKeyId}, signer is ${root.keyId}`,
    );
  }
  const clean: BrokerKeyListBody = {
    brokerId: body.brokerId,
    version: body.version,
    keys: body.keys.map((k) => ({ keyId: k.keyId, publicKey: k.publicKey })),
    issuedAt: body.issuedAt,
    rootKeyId: body.rootKeyId,
  };
  return { ...clean, signature: root.sign(encodeBrokerKeyListBody(clean)) };
}

const listKind = {
  kind: 'broker key list',
  encode: encodeBrokerKeyListBody,
  keyId: (l: SignedBrokerKeyList) => l.rootKeyId,
};

/** Checks the root signature (pinned root keys only: never a key the list itself names). */
export function verifyBrokerKeyList(
  list: SignedBrokerKeyList,
  rootKeys: KeyRing,
): SignatureCheck<SignedBrokerKeyList> {
  return verifySigned(listKind, list, rootKeys);
}

export function parseSignedBrokerKeyList(value: unknown): SignedBrokerKeyList {
  const f = readObject(value, ['brokerId', 'version', 'keys', 'issuedAt', 'rootKeyId', 'signature']);
  if (!Array.isArray(f.keys)) throw new ProtocolError(PROTOCOL.BAD_TYPE, 'keys', 'expected an array');
  const keys = (f.keys as unknown[]).map((k, i) => {
    const kf = readObject(k, ['keyId', 'publicKey']);
    checkId(kf.keyId, `keys[${i}].keyId`);
    return {
      keyId: kf.keyId,
      publicKey: parseHex(kf.publicKey, { bytes: ED25519_KEY_BYTES, field: `keys[${i}].publicKey` }),
    };
  });
  const list = {
    brokerId: f.brokerId as string,
    version: f.version as number,
    keys,
    issuedAt: f.issuedAt as string,
    rootKeyId: f.rootKeyId as string,
    signature: parseHex(f.signature, { bytes: ED25519_SIGNATURE_BYTES, field: 'signature' }),
  };
  validateBrokerKeyListBody(list);
  return list;
}

/**
 * The newest list among `candidates` that parses and verifies against `rootKeys` and names
 * `brokerId`; `undefined` when none does. Anything else is ignored: a forged or stale list can
 * neither add a key nor take the newest list's place.
 */
export function newestBrokerKeyList(
  candidates: readonly unknown[],
  rootKeys: KeyRing,
  brokerId: string,
): SignedBrokerKeyList | undefined {
  let best: SignedBrokerKeyList | undefined;
  for (const candidate of candidates) {
    let list: SignedBrokerKeyList;
    try {
      list = parseSignedBrokerKeyList(candidate);
    } catch (error) {
      if (error instanceof ProtocolError) continue;
      throw error;
    }
    if (list.brokerId !== brokerId || !verifyBrokerKeyList(list, rootKeys).ok) continue;
    if (best === undefined || list.version > best.version) best = list;
  }
  return best;
}

/** The list's keys as records owned by the broker. */
export function brokerKeyRecords(
  list: SignedBrokerKeyList,
  ownerId: string = list.brokerId,
): PublicKeyRecord[] {
  return list.keys.map((k) => ({ keyId: k.keyId, publicKey: k.publicKey, ownerId }));
}
