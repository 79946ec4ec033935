import { randomBytes as nodeRandomBytes } from 'node:crypto';
import { PROTOCOL, ProtocolError } from './errors.js';
import { ChainHasher, checkAlg, checkLength, paywordBytes, SEED_BYTES, toBytes } from './hash-chain.js';
import { bytesToHex } from './hex.js';
import type { ChainAlgorithm, ChainIndex, Hex, SpendProof } from './types.js';

/** A generated chain: the seed W[n+1], the root W[0] and access to the paywords. */
export interface Chain {
  readonly chainId: string;
  readonly alg: ChainAlgorithm;
  /** n */
  readonly length: number;
  /** W[n+1]: the secret everything derives from. */
  readonly seed: Hex;
  /** W[0] */
  readonly root: Hex;
  /** W[i] for 0 ≤ i ≤ n (0 is the root). */
  payword(i: number): Hex;
  /** (I = 1, W[0]): the state of a fresh chain. */
  initialIndex(): ChainIndex;
  /** The proof of a spend of `count` coins at index `index`: W[index + count - 1]. */
  spendProof(index: number, count: number): SpendProof;
}

export interface GenerateChainOptions {
  readonly chainId: string;
  readonly length: number;
  readonly alg: ChainAlgorithm;
  /** W[n+1] (32 bytes). Drawn from `randomBytes` when omitted. */
  readonly seed?: Hex | Uint8Array;
  /** Source of randomness for the seed (defaults to node:crypto). */
  readonly randomBytes?: (size: number) => Uint8Array;
  /**
   * `full` keeps all n+1 words (n × 32 bytes; 3.2 MB for 100 000) and answers in O(1).
   * `checkpoints` keeps every ⌈√n⌉-th word (≈ 10 KB for 100 000) and answers in ≤ ⌈√n⌉
   * hashes: fit for a broker holding many server-side wallets. Default `full`.
   */
  readonly storage?: 'full' | 'checkpoints';
}

/** Draws (or takes) the seed W[n+1] and hashes down to W[0]: W[i-1] = H(i, W[i]). */
export function generateChain(options: GenerateChainOptions): Chain {
  const { chainId, length, alg } = options;
  checkAlg(alg);
  checkLength(length);
  const hasher = new ChainHasher(alg, chainId);
  const seed =
    options.seed !== undefined
      ? toBytes(options.seed, 'seed', SEED_BYTES)
      : toBytes((options.randomBytes ?? nodeRandomBytes)(SEED_BYTES), 'seed', SEED_BYTES);
  const width = paywordBytes(alg);
  const every = options.storage === 'checkpoints' ? Math.max(1, Math.ceil(Math.sqrt(length))) : 1;
  // Slot j holds W[j × every]; the last slot may be the only one above a partial stride.
  const slots = Math.floor(length / every) + 1;
  const store = Buffer.alloc(slots * width);
  let word: Buffer = seed;
  for (let position = length + 1; position >= 1; position--) {
    word = hasher.step(position, word);
    const i = position - 1;
    if (i % every === 0) store.set(word, (i / every) * width);
  }
  const wordAt = (i: number): Buffer => {
    if (!Number.isSafeInteger(i) || i < 0 || i > length) {
      throw new ProtocolError(PROTOCOL.BAD_ARGUMENT, 'i', `position ${i} is outside 0..${length}`);
    }
    // Hash down from the next checkpoint above i (or from the seed).
    const above = Math.ceil(i / every) * every;
    if (above === i) return store.subarray((i / every) * width, (i / every + 1) * width);
    const from =
      above <= length ? store.subarray((above / every) * width, (above / every + 1) * width) : seed;
    const fromPosition = above <= length ? above : length + 1;
    return hasher.hashDown(fromPosition, from, fromPosition - i);
  };
  const root = bytesToHex(wordAt(0));
  return {
    chainId,
    alg,
    length,
    seed: bytesToHex(seed),
    root,
    payword: (i) => bytesToHex(wordAt(i)),
    initialIndex: () => ({ chainId, index: 1, lastPayword: root }),
    spendProof: (index, count) => {
      const position = index + count - 1;
      return { chainId, position, payword: bytesToHex(wordAt(position)) };
    },
  };
}
