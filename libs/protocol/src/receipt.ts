import { batchPathLength, buildBatchTree, foldBatchPath, leafHash, TREE_HASH_BYTES } from './batch-tree.js';
import { CanonicalWriter } from './encoding.js';
import { PROTOCOL, ProtocolError } from './errors.js';
import { parseHex } from './hex.js';
import type { KeyRing, Signer } from './keys.js';
import { verifySigned, type SignatureCheck } from './signed.js';
import type { Hex, Receipt, ReceiptBatchProof, ReceiptBody } from './types.js';
import { checkCurrency, checkId, checkInt, checkText, checkTimestamp, MAX_TEXT_BYTES } from './validate.js';

/** Domain tag of the receipt encoding. */
export const RECEIPT_TAG = 'netpay/receipt/v1';
/** Domain tag of the message a batch of receipts is signed as. */
export const RECEIPT_BATCH_TAG = 'netpay/receipt-batch/v1';
/** Most receipts one signature may cover. */
export const MAX_RECEIPT_BATCH_SIZE = 65_536;
/** Longest inclusion path of a batched receipt: log2(MAX_RECEIPT_BATCH_SIZE). */
export const MAX_RECEIPT_BATCH_PATH = 16;

export function validateReceiptBody(body: ReceiptBody): void {
  checkId(body.receiptId, 'receiptId');
  checkId(body.vendorId, 'vendorId');
  checkId(body.chainId, 'chainId');
  checkInt(body.fromIndex, 'fromIndex', 1);
  checkInt(body.toIndex, 'toIndex', 1);
  if (body.toIndex < body.fromIndex) {
    throw new ProtocolError(PROTOCOL.BAD_VALUE, 'toIndex', 'must not be below fromIndex');
  }
  checkInt(body.amount, 'amount', 1);
  checkCurrency(body.currency, 'currency');
  checkText(body.resource, 'resource', MAX_TEXT_BYTES);
  checkTimestamp(body.at, 'at');
  checkId(body.vendorKeyId, 'vendorKeyId');
}

/**
 * Canonical bytes: the tag, then receiptId, vendorId, chainId, fromIndex,
 * toIndex, amount, currency, resource, at, vendorKeyId.
 */
export function encodeReceiptBody(body: ReceiptBody): Buffer {
  validateReceiptBody(body);
  return new CanonicalWriter(RECEIPT_TAG)
    .string(body.receiptId)
    .string(body.vendorId)
    .string(body.chainId)
    .uint(body.fromIndex)
    .uint(body.toIndex)
    .uint(body.amount)
    .string(body.currency)
    .string(body.resource)
    .string(body.at)
    .string(body.vendorKeyId)
    .toBytes();
}

/** The body's fields and nothing else, once its key id is checked against the signer's. */
function cleanBody(body: ReceiptBody, signer: Signer): ReceiptBody {
  if (body.vendorKeyId !== signer.keyId) {
    throw new ProtocolError(
      PROTOCOL.BAD_ARGUMENT,
      'vendorKeyId',
      `body names ${body.vendorKeyId}, signer is ${signer.keyId}`,
    );
  }
  return {
    receiptId: body.receiptId,
    vendorId: body.vendorId,
    chainId: body.chainId,
    fromIndex: body.fromIndex,
    toIndex: body.toIndex,
    amount: body.amount,
    currency: body.currency,
    resource: body.resource,
    at: body.at,
    vendorKeyId: body.vendorKeyId,
  };
}

/** The vendor signs a receipt after the spend was durably recorded. */
export function signReceipt(body: ReceiptBody, signer: Signer): Receipt {
  const clean = cleanBody(body, signer);
  return { ...clean, signature: signer.sign(encodeReceiptBody(clean)) };
}

/** Leaf of a receipt in its batch's tree: SHA-256(0x00 ‖ canonical body). */
export function receiptLeafHash(body: ReceiptBody): Buffer {
  return leafHash(encodeReceiptBody(body));
}

/** What a batch is signed as: the tag, then the batch size and the tree's root. */
export function encodeReceiptBatch(size: number, root: Uint8Array): Buffer {
  checkInt(size, 'batch.size', 2, MAX_RECEIPT_BATCH_SIZE);
  if (root.byteLength !== TREE_HASH_BYTES) {
    throw new ProtocolError(PROTOCOL.BAD_LENGTH, 'root', `expected ${TREE_HASH_BYTES} bytes`);
  }
  return new CanonicalWriter(RECEIPT_BATCH_TAG).uint(size).bytes(root).toBytes();
}

/**
 * Signs receipts together with ONE signature: over the root of the hash tree
 * whose leaves are the bodies, in order. Each receipt carries its inclusion
 * path. A single body gives exactly `signReceipt`'s plain receipt (no
 * `batch`), none gives none. Every body is validated before anything is signed.
 */
export function signReceipts(bodies: readonly ReceiptBody[], signer: Signer): Receipt[] {
  if (bodies.length > MAX_RECEIPT_BATCH_SIZE) {
    throw new ProtocolError(
      PROTOCOL.BAD_ARGUMENT,
      '',
      `at most ${MAX_RECEIPT_BATCH_SIZE} receipts per batch, ${bodies.length} given`,
    );
  }
  const clean = bodies.map((body) => cleanBody(body, signer));
  if (clean.length <= 1)
    return clean.map((body) => ({ ...body, signature: signer.sign(encodeReceiptBody(body)) }));
  const size = clean.length;
  const tree = buildBatchTree(clean.map(receiptLeafHash));
  const signature = signer.sign(encodeReceiptBatch(size, tree.root));
  // Each inner node sits in many paths: hex it once.
  const hexOf = new Map<Buffer, Hex>();
  const toHex = (hash: Buffer): Hex => {
    let hex = hexOf.get(hash);
    if (hex === undefined) hexOf.set(hash, (hex = hash.toString('hex')));
    return hex;
  };
  return clean.map((body, index) => ({
    ...body,
    signature,
    batch: { index, size, path: tree.paths[index]!.map(toHex) },
  }));
}

/**
 * A batch proof's shape: `size` in 2..MAX_RECEIPT_BATCH_SIZE, `index` in
 * 0..size-1, `path` exactly as many 32-byte lowercase hex hashes as the
 * tree has levels above that leaf (never more than MAX_RECEIPT_BATCH_PATH).
 */
export function validateReceiptBatchProof(proof: ReceiptBatchProof): void {
  if (typeof proof !== 'object' || proof === null || Array.isArray(proof)) {
    throw new ProtocolError(PROTOCOL.BAD_TYPE, 'batch', 'expected an object');
  }
  checkInt(proof.size, 'batch.size', 2, MAX_RECEIPT_BATCH_SIZE);
  checkInt(proof.index, 'batch.index', 0, proof.size - 1);
  const path: unknown = proof.path;
  if (!Array.isArray(path)) throw new ProtocolError(PROTOCOL.BAD_TYPE, 'batch.path', 'expected an array');
  if (path.length > MAX_RECEIPT_BATCH_PATH) {
    throw new ProtocolError(PROTOCOL.BAD_LENGTH, 'batch.path', `at most ${MAX_RECEIPT_BATCH_PATH} hashes`);
  }
  const expected = batchPathLength(proof.index, proof.size);
  if (path.length !== expected) {
    throw new ProtocolError(
      PROTOCOL.BAD_LENGTH,
      'batch.path',
      `leaf ${proof.index} of ${proof.size} has ${expected} hashes above it, the path has ${path.length}`,
    );
  }
  for (let i = 0; i < path.length; i++) {
    parseHex(path[i], { bytes: TREE_HASH_BYTES, field: `batch.path.${i}` });
  }
}

/** The bytes a receipt's signature is over: its body, or its batch's size and root. */
function signedBytesOf(receipt: Receipt): Buffer {
  const proof = receipt.batch;
  if (proof === undefined) return encodeReceiptBody(receipt);
  validateReceiptBatchProof(proof);
  const root = foldBatchPath(
    receiptLeafHash(receipt),
    proof.index,
    proof.size,
    proof.path.map((hex) => Buffer.from(hex, 'hex')),
  );
  return encodeReceiptBatch(proof.size, root);
}

const receiptKind = {
  kind: 'receipt',
  encode: signedBytesOf,
  keyId: (r: Receipt) => r.vendorKeyId,
  signerId: (r: Receipt) => r.vendorId,
};

/**
 * Checks the vendor's signature (and, when the key has an `ownerId`, that it
 * is `vendorId`). A batched receipt verifies when its body, index, size and
 * path fold to a root whose batch message the key signed; a proof that does
 * not fit its index and size is `SIGNATURE.MALFORMED`.
 */
export function verifyReceipt(r: Receipt, keys: KeyRing): SignatureCheck<Receipt> {
  return verifySigned(receiptKind, r, keys);
}
