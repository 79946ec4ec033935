import { PROTOCOL, ProtocolError } from './errors.js';
import { ED25519_KEY_BYTES, ED25519_SIGNATURE_BYTES } from './keys.js';
import { PAYWORD_WIDTHS, validateHandOffCertificateBody } from './hand-off.js';
import { parseHex } from './hex.js';
import { validateReceiptBatchProof, validateReceiptBody } from './receipt.js';
import { validateTouchstoneBody } from './touchstone.js';
import type {
  ChainAlgorithm,
  ChainIndex,
  HandOffCertificate,
  PublicKeyRecord,
  Receipt,
  ReceiptBatchProof,
  SpendProof,
  Touchstone,
} from './types.js';
import { checkId, checkInt } from './validate.js';

/**
 * Strict parsers of every wire form. Input is anything (usually JSON.parse
 * output); the result is a fresh object holding exactly the known fields, or a
 * `ProtocolError` (BAD_TYPE, MISSING_FIELD, UNKNOWN_FIELD, BAD_HEX, BAD_LENGTH,
 * BAD_VALUE, BAD_TIMESTAMP) naming the field. Nothing else is ever thrown.
 * Signatures are NOT checked here: call the matching verify function.
 */

type Fields = Record<string, unknown>;

/** A plain object with only data properties, no unknown keys, all required keys present. */
export function readObject(
  value: unknown,
  required: readonly string[],
  optional: readonly string[] = [],
): Fields {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ProtocolError(PROTOCOL.BAD_TYPE, '', 'expected an object');
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    throw new ProtocolError(PROTOCOL.BAD_TYPE, '', 'expected a plain object');
  }
  const fields: Fields = {};
  for (const [key, descriptor] of Object.entries(Object.getOwnPropertyDescriptors(value))) {
    if (!required.includes(key) && !optional.includes(key)) {
      throw new ProtocolError(PROTOCOL.UNKNOWN_FIELD, key, 'unknown field');
    }
    if (!('value' in descriptor))
      throw new ProtocolError(PROTOCOL.BAD_TYPE, key, 'accessor properties are not data');
    if (descriptor.value !== undefined) fields[key] = descriptor.value;
  }
  for (const key of required) {
    if (!(key in fields)) throw new ProtocolError(PROTOCOL.MISSING_FIELD, key, 'missing field');
  }
  return fields;
}

function stringArray(value: unknown, field: string): string[] {
  if (!Array.isArray(value)) throw new ProtocolError(PROTOCOL.BAD_TYPE, field, 'expected an array');
  return value.map((item: unknown, i) => {
    if (typeof item !== 'string')
      throw new ProtocolError(PROTOCOL.BAD_TYPE, `${field}.${i}`, 'expected a string');
    return item;
  });
}

const TOUCHSTONE_FIELDS = [
  'chainId',
  'alg',
  'root',
  'length',
  'coinValue',
  'currency',
  'issuedAt',
  'expiresAt',
  'brokerKeyId',
  'signature',
] as const;

export function parseTouchstone(value: unknown): Touchstone {
  const f = readObject(value, TOUCHSTONE_FIELDS, ['vendorRestriction']);
  const t = {
    chainId: f.chainId as string,
    alg: f.alg as ChainAlgorithm,
    root: f.root as string,
    length: f.length as number,
    coinValue: f.coinValue as number,
    currency: f.currency as string,
    issuedAt: f.issuedAt as string,
    expiresAt: f.expiresAt as string,
    ...(f.vendorRestriction === undefined
      ? {}
      : { vendorRestriction: stringArray(f.vendorRestriction, 'vendorRestriction') }),
    brokerKeyId: f.brokerKeyId as string,
    signature: parseHex(f.signature, { bytes: ED25519_SIGNATURE_BYTES, field: 'signature' }),
  };
  // The validators check every field's type before using it (BAD_TYPE otherwise).
  validateTouchstoneBody(t);
  return t;
}

export function parseSpendProof(value: unknown): SpendProof {
  const f = readObject(value, ['chainId', 'position', 'payword']);
  checkId(f.chainId, 'chainId');
  checkInt(f.position, 'position', 1);
  return {
    chainId: f.chainId,
    position: f.position,
    payword: parseHex(f.payword, { bytes: PAYWORD_WIDTHS, field: 'payword' }),
  };
}

export function parseChainIndex(value: unknown): ChainIndex {
  const f = readObject(value, ['chainId', 'index', 'lastPayword']);
  checkId(f.chainId, 'chainId');
  checkInt(f.index, 'index', 1);
  return {
    chainId: f.chainId,
    index: f.index,
    lastPayword: parseHex(f.lastPayword, { bytes: PAYWORD_WIDTHS, field: 'lastPayword' }),
  };
}

export function parseHandOffCertificate(value: unknown): HandOffCertificate {
  const f = readObject(value, [
    'chainId',
    'fromVendor',
    'toVendor',
    'index',
    'lastPayword',
    'at',
    'vendorKeyId',
    'signature',
  ]);
  const c = {
    chainId: f.chainId as string,
    fromVendor: f.fromVendor as string,
    toVendor: f.toVendor as string,
    index: f.index as number,
    lastPayword: f.lastPayword as string,
    at: f.at as string,
    vendorKeyId: f.vendorKeyId as string,
    signature: parseHex(f.signature, { bytes: ED25519_SIGNATURE_BYTES, field: 'signature' }),
  };
  validateHandOffCertificateBody(c);
  return c;
}

export function parseReceipt(value: unknown): Receipt {
  const f = readObject(
    value,
    [
      'receiptId',
      'vendorId',
      'chainId',
      'fromIndex',
      'toIndex',
      'amount',
      'currency',
      'resource',
      'at',
      'vendorKeyId',
      'signature',
    ],
    ['batch'],
  );
  const r = {
    receiptId: f.receiptId as string,
    vendorId: f.vendorId as string,
    chainId: f.chainId as string,
    fromIndex: f.fromIndex as number,
    toIndex: f.toIndex as number,
    amount: f.amount as number,
    currency: f.currency as string,
    resource: f.resource as string,
    at: f.at as string,
    vendorKeyId: f.vendorKeyId as string,
    signature: parseHex(f.signature, { bytes: ED25519_SIGNATURE_BYTES, field: 'signature' }),
  };
  validateReceiptBody(r);
  return f.batch === undefined ? r : { ...r, batch: parseReceiptBatchProof(f.batch) };
}

/** `{ index, size, path }`, strictly (see `validateReceiptBatchProof`); a fresh copy. */
function parseReceiptBatchProof(value: unknown): ReceiptBatchProof {
  let f: Fields;
  try {
    f = readObject(value, ['index', 'size', 'path']);
  } catch (error) {
    // Name the field inside the receipt: `batch.path`, not `path`.
    if (error instanceof ProtocolError) {
      const message = error.field ? error.message.slice(error.field.length + 2) : error.message;
      throw new ProtocolError(error.code, error.field ? `batch.${error.field}` : 'batch', message);
    }
    throw error;
  }
  const proof = { index: f.index as number, size: f.size as number, path: f.path as readonly string[] };
  // Checks types, ranges, the path's exact length (bounded) and every entry before copying it.
  validateReceiptBatchProof(proof);
  return { index: proof.index, size: proof.size, path: Array.from(proof.path) };
}

export function parsePublicKeyRecord(value: unknown): PublicKeyRecord {
  const f = readObject(value, ['keyId', 'publicKey'], ['ownerId']);
  checkId(f.keyId, 'keyId');
  const publicKey = parseHex(f.publicKey, { bytes: ED25519_KEY_BYTES, field: 'publicKey' });
  if (f.ownerId === undefined) return { keyId: f.keyId, publicKey };
  checkId(f.ownerId, 'ownerId');
  return { keyId: f.keyId, publicKey, ownerId: f.ownerId };
}
