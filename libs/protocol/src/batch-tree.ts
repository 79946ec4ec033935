import { createHash } from 'node:crypto';
import { PROTOCOL, ProtocolError } from './errors.js';

/**
 * The hash tree of a signed batch (receipts signed together under one
 * signature). Its shape is RFC 6962's Merkle tree (§2.1): a batch of n > 1
 * leaves splits at k, the largest power of two below n; the first k leaves
 * form the left subtree, the other n - k the right one. So an odd node is
 * never duplicated or padded: it is simply the right subtree of its split.
 *
 * - leaf  = SHA-256(0x00 ‖ leaf bytes)
 * - node  = SHA-256(0x01 ‖ left ‖ right)
 *
 * The prefixes keep leaves and inner nodes apart: no leaf can pass for a node.
 * An inclusion path lists the sibling hashes from the leaf up to the root; its
 * length is fixed by (index, size).
 */

/** Bytes of every tree hash (SHA-256). */
export const TREE_HASH_BYTES = 32;

const LEAF_PREFIX = Buffer.of(0x00);
const NODE_PREFIX = Buffer.of(0x01);

export function leafHash(bytes: Uint8Array): Buffer {
  return createHash('sha256').update(LEAF_PREFIX).update(bytes).digest();
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
}

/** Largest power of two strictly below n (n ≥ 2). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

export interface BatchTree {
  readonly root: Buffer;
  /** paths[i]: the inclusion path of leaf i, leaf to root. */
  readonly paths: readonly (readonly Buffer[])[];
}

/** Root and every leaf's inclusion path of the tree over `leaves` (at least one). */
export function buildBatchTree(leaves: readonly Buffer[]): BatchTree {
  if (leaves.length === 0) throw new ProtocolError(PROTOCOL.BAD_ARGUMENT, '', 'a batch tree needs a leaf');
  const paths: Buffer[][] = leaves.map(() => []);
  // Subtrees are finished bottom-up, so each leaf's siblings are appended leaf to root.
  const build = (from: number, to: number): Buffer => {
    if (to - from === 1) return leaves[from]!;
    const split = from + splitPoint(to - from);
    const left = build(from, split);
    const right = build(split, to);
    for (let i = from; i < split; i++) paths[i]!.push(right);
    for (let i = split; i < to; i++) paths[i]!.push(left);
    return nodeHash(left, right);
  };
  return { root: build(0, leaves.length), paths };
}

/**
 * Walks the path of leaf `index` in a tree of `size` leaves (RFC 9162
 * §2.1.3.2): calls `step(sibling is left)` once per level, and answers how
 * many levels there were. `index < size` is the caller's to check.
 */
function walk(index: number, size: number, step?: (level: number, siblingOnLeft: boolean) => void): number {
  let fn = index;
  let sn = size - 1;
  let level = 0;
  while (sn > 0) {
    if (fn % 2 === 1 || fn === sn) {
      step?.(level, true);
      // The last node of a level with no right sibling moves up until it has one.
      while (fn % 2 === 0 && fn !== 0) {
        fn /= 2;
        sn = Math.floor(sn / 2);
      }
    } else {
      step?.(level, false);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
    level++;
  }
  return level;
}

/** Number of hashes in the inclusion path of leaf `index` of a tree of `size` leaves. */
export function batchPathLength(index: number, size: number): number {
  return walk(index, size);
}

/**
 * The root that `leaf` at `index` with this path folds to. The path must
 * have exactly `batchPathLength(index, size)` hashes of 32 bytes (checked by
 * the caller: a `ProtocolError` otherwise).
 */
export function foldBatchPath(leaf: Buffer, index: number, size: number, path: readonly Buffer[]): Buffer {
  if (path.length !== batchPathLength(index, size)) {
    throw new ProtocolError(PROTOCOL.BAD_LENGTH, 'batch.path', 'does not fit the index and size');
  }
  let hash = leaf;
  walk(index, size, (level, siblingOnLeft) => {
    const sibling = path[level]!;
    hash = siblingOnLeft ? nodeHash(sibling, hash) : nodeHash(hash, sibling);
  });
  return hash;
}
