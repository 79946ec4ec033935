import { hash } from 'node:crypto';
import { PROTOCOL, ProtocolError } from './errors.js';
import { u32 } from './encoding.js';
import { bytesToHex, isHex } from './hex.js';
import type { ChainAlgorithm, Hex } from './types.js';
import { checkId } from './validate.js';

/** Domain tag of every sha256 chain step. */
export const PAYWORD_TAG = 'netpay/payword/v1';
/** Longest chain the protocol accepts (n). */
export const MAX_CHAIN_LENGTH = 1_000_000;
/** Bytes of the random seed W[n+1]. */
export const SEED_BYTES = 32;

export const CHAIN_ALGORITHMS: readonly ChainAlgorithm[] = ['sha256', 'md5'];

/** Bytes of a payword (and of the root) under `alg`. */
export function paywordBytes(alg: ChainAlgorithm): number {
  return alg === 'sha256' ? 32 : 16;
}

/**
 * `md5` reproduces the papers' plain h(W) = md5(W) for interop demos only. It is
 * WEAK: MD5 is broken for collisions and the step binds neither chain nor
 * position, so one chain's words can be replayed as another's. Flag it wherever
 * it appears; never issue it by default.
 */
export function isWeakAlgorithm(alg: ChainAlgorithm): boolean {
  return alg === 'md5';
}

/**
 * One chain step W[i-1] = H(i, W[i]), precomputed for one chain.
 *
 * sha256:  W[i-1] = SHA-256( u32be(17) || "netpay/payword/v1"
 *                            || u32be(len(chainId)) || utf8(chainId)
 *                            || u64be(i) || W[i] )
 *          where len is the UTF-8 byte length, i is the position of the INPUT word
 *          (1 … n+1) and W[i] is 32 bytes (the seed W[n+1] is 32 bytes too).
 * md5:     W[i-1] = MD5( W[i] ) — WEAK, see `isWeakAlgorithm`.
 */
export class ChainHasher {
  private readonly buffer: Buffer | undefined;
  private readonly positionOffset: number;

  constructor(
    readonly alg: ChainAlgorithm,
    readonly chainId: string,
  ) {
    checkAlg(alg);
    checkId(chainId, 'chainId');
    if (alg === 'sha256') {
      const tag = Buffer.from(PAYWORD_TAG, 'utf8');
      const id = Buffer.from(chainId, 'utf8');
      const prefix = Buffer.concat([u32(tag.length), tag, u32(id.length), id]);
      this.positionOffset = prefix.length;
      this.buffer = Buffer.concat([prefix, Buffer.alloc(8 + 32)]);
    } else {
      this.positionOffset = 0;
      this.buffer = undefined;
    }
  }

  /** W[position-1] from W[position]. */
  step(position: number, word: Uint8Array): Buffer {
    if (this.buffer === undefined) return hash('md5', word, 'buffer');
    if (word.byteLength !== 32) {
      throw new ProtocolError(PROTOCOL.BAD_ARGUMENT, 'word', `sha256 chain words are 32 bytes`);
    }
    // u64be(position) without a BigInt per step (positions are safe integers).
    this.buffer.writeUInt32BE(Math.floor(position / 0x1_0000_0000), this.positionOffset);
    this.buffer.writeUInt32BE(position >>> 0, this.positionOffset + 4);
    this.buffer.set(word, this.positionOffset + 8);
    return hash('sha256', this.buffer, 'buffer');
  }

  /** Hashes W[fromPosition] down `steps` times: returns W[fromPosition - steps]. */
  hashDown(fromPosition: number, word: Uint8Array, steps: number): Buffer {
    checkPosition(fromPosition, 'fromPosition');
    if (!Number.isSafeInteger(steps) || steps < 0 || steps > fromPosition) {
      throw new ProtocolError(
        PROTOCOL.BAD_ARGUMENT,
        'steps',
        `cannot hash ${steps} steps from ${fromPosition}`,
      );
    }
    // step() copies its input into the hasher's buffer, so no defensive copy is needed.
    let current: Buffer = steps === 0 ? Buffer.from(word) : this.step(fromPosition, word);
    for (let position = fromPosition - 1; position > fromPosition - steps; position--) {
      current = this.step(position, current);
    }
    return current;
  }
}

// Kept by hand: libs/protocol depends on node:crypto alone, and clearing when full is all a
// per-chain hasher needs (an lru-cache get measured 1.09× a Map get: micro-bench, one run).
const hasherCache = new Map<string, ChainHasher>();

/** A cached `ChainHasher` (verifiers see the same chains again and again). */
export function chainHasher(alg: ChainAlgorithm, chainId: string): ChainHasher {
  const key = `${alg}\u0000${chainId}`;
  let hasher = hasherCache.get(key);
  if (hasher === undefined) {
    if (hasherCache.size >= 4096) hasherCache.clear();
    hasher = new ChainHasher(alg, chainId);
    hasherCache.set(key, hasher);
  }
  return hasher;
}

/** One step W[position-1] = H(position, W[position]), hex in and out. */
export function hashStep(
  alg: ChainAlgorithm,
  chainId: string,
  position: number,
  word: Hex | Uint8Array,
): Hex {
  checkPosition(position, 'position');
  return bytesToHex(chainHasher(alg, chainId).step(position, toBytes(word, 'word')));
}

/**
 * W[i] of the chain grown from `seed` (W[n+1]) without storing it: n+1-i hashes,
 * constant memory. `i = 0` gives the root.
 */
export function paywordAt(
  seed: Hex | Uint8Array,
  chainId: string,
  alg: ChainAlgorithm,
  length: number,
  i: number,
): Hex {
  checkLength(length);
  if (!Number.isSafeInteger(i) || i < 0 || i > length) {
    throw new ProtocolError(PROTOCOL.BAD_ARGUMENT, 'i', `position ${i} is outside 0..${length}`);
  }
  const seedBytes = toBytes(seed, 'seed', SEED_BYTES);
  return bytesToHex(chainHasher(alg, chainId).hashDown(length + 1, seedBytes, length + 1 - i));
}

export function checkAlg(alg: unknown): asserts alg is ChainAlgorithm {
  if (alg !== 'sha256' && alg !== 'md5') {
    throw new ProtocolError(PROTOCOL.BAD_ARGUMENT, 'alg', `unknown chain algorithm ${String(alg)}`);
  }
}

export function checkLength(length: number): void {
  if (!Number.isSafeInteger(length) || length < 1 || length > MAX_CHAIN_LENGTH) {
    throw new ProtocolError(PROTOCOL.BAD_ARGUMENT, 'length', `chain length must be 1..${MAX_CHAIN_LENGTH}`);
  }
}

function checkPosition(position: number, field: string): void {
  if (!Number.isSafeInteger(position) || position < 1) {
    throw new ProtocolError(PROTOCOL.BAD_ARGUMENT, field, `position must be a positive integer`);
  }
}

export function toBytes(value: Hex | Uint8Array, field: string, bytes?: number): Buffer {
  if (typeof value === 'string' && !isHex(value)) {
    throw new ProtocolError(PROTOCOL.BAD_ARGUMENT, field, 'expected lowercase hex');
  }
  const out = typeof value === 'string' ? Buffer.from(value, 'hex') : Buffer.from(value);
  if (bytes !== undefined && out.length !== bytes) {
    throw new ProtocolError(PROTOCOL.BAD_ARGUMENT, field, `expected ${bytes} bytes, got ${out.length}`);
  }
  return out;
}
