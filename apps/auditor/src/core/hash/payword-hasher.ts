import { hash } from 'node:crypto';
import type { ChainAlgorithm } from '#protocol';

/**
 * The chain step written again from the wire spec (libs/protocol/README.md),
 * not taken from the protocol library, so that a bug there cannot hide a
 * forgery here:
 *
 *   sha256: W[i-1] = SHA-256( u32be(17) ‖ "netpay/payword/v1" ‖ u32be(len) ‖ utf8(chainId) ‖ u64be(i) ‖ W[i] )
 *   md5:    W[i-1] = MD5( W[i] )   (weak, interop demos only)
 *
 * `i` is the position of the input word.
 */
export class PaywordHasher {
  private readonly input: Buffer | undefined;
  private readonly positionAt: number;

  constructor(
    readonly alg: ChainAlgorithm,
    readonly chainId: string,
  ) {
    if (alg === 'md5') {
      this.input = undefined;
      this.positionAt = 0;
      return;
    }
    const tag = Buffer.from('netpay/payword/v1', 'utf8');
    const id = Buffer.from(chainId, 'utf8');
    this.positionAt = 4 + tag.length + 4 + id.length;
    // One buffer per chain: the prefix never changes, position and word are overwritten per step.
    this.input = Buffer.alloc(this.positionAt + 8 + 32);
    this.input.writeUInt32BE(tag.length, 0);
    tag.copy(this.input, 4);
    this.input.writeUInt32BE(id.length, 4 + tag.length);
    id.copy(this.input, 8 + tag.length);
  }

  /** Bytes of a word under this chain's algorithm. */
  get wordBytes(): number {
    return this.alg === 'md5' ? 16 : 32;
  }

  /** W[position-1] from W[position]. */
  step(position: number, word: Buffer): Buffer {
    if (this.input === undefined) return hash('md5', word, 'buffer');
    this.input.writeUInt32BE(Math.floor(position / 2 ** 32), this.positionAt);
    this.input.writeUInt32BE(position % 2 ** 32, this.positionAt + 4);
    word.copy(this.input, this.positionAt + 8);
    return hash('sha256', this.input, 'buffer');
  }

  /** W[toPosition] from W[fromPosition], hashing fromPosition - toPosition times. */
  down(fromPosition: number, word: Buffer, toPosition: number): Buffer {
    let current = word;
    for (let position = fromPosition; position > toPosition; position--)
      current = this.step(position, current);
    return current;
  }
}

/**
 * Hashers are cheap but not free; chains are revisited constantly, so keep one per chain. Kept by
 * hand: a replay visits chains in stream order, and clearing when full is all it needs.
 */
export class HasherCache {
  private readonly hashers = new Map<string, PaywordHasher>();

  constructor(private readonly limit = 100_000) {}

  get(alg: ChainAlgorithm, chainId: string): PaywordHasher {
    const key = `${alg}:${chainId}`;
    let hasher = this.hashers.get(key);
    if (hasher === undefined) {
      if (this.hashers.size >= this.limit) this.hashers.clear();
      hasher = new PaywordHasher(alg, chainId);
      this.hashers.set(key, hasher);
    }
    return hasher;
  }
}
