import { verifyPaywordAgainst, type Hex } from '#protocol';
import type { PaywordHasher } from './payword-hasher.js';

/**
 * - `match`: the word is W[position] of this chain.
 * - `mismatch`: it is not (or it is not a word of the right size).
 * - `disagree`: the auditor's own step and the protocol library's disagree —
 *   one of them is wrong; the word counts as unproven.
 */
export type WordCheck = 'match' | 'mismatch' | 'disagree';

/**
 * The words of one chain the auditor has proven, by position: the root W[0]
 * from the broker-signed touchstone, then every payword that hashed down to
 * it. Any claimed W[p] is checked against the nearest proven word, whichever
 * direction needs fewer hashes.
 */
export class KnownWords {
  private readonly positions: number[] = [0];
  private readonly words: Hex[];

  constructor(
    private readonly hasher: PaywordHasher,
    root: Hex,
    private readonly crossCheck: boolean,
  ) {
    this.words = [root];
  }

  /** Highest proven position. */
  get top(): number {
    return this.positions[this.positions.length - 1] ?? 0;
  }

  check(position: number, word: Hex): WordCheck {
    if (word.length !== this.hasher.wordBytes * 2 || !Number.isSafeInteger(position) || position < 0) {
      return 'mismatch';
    }
    const below = this.lastAtOrBelow(position);
    const lowPosition = this.positions[below] ?? 0;
    const lowWord = this.words[below] ?? '';
    if (lowPosition === position) return lowWord === word ? 'match' : 'mismatch';
    const highPosition = this.positions[below + 1];
    const highWord = this.words[below + 1];
    if (
      highPosition !== undefined &&
      highWord !== undefined &&
      highPosition - position < position - lowPosition
    ) {
      // Hash the proven higher word down to `position`: gives the true W[position].
      const ours =
        this.hasher.down(highPosition, Buffer.from(highWord, 'hex'), position).toString('hex') === word;
      return this.agree(ours, position, word, highPosition, highWord);
    }
    // Hash the claimed word down to the proven lower one.
    const ours =
      this.hasher.down(position, Buffer.from(word, 'hex'), lowPosition).toString('hex') === lowWord;
    return this.agree(ours, lowPosition, lowWord, position, word);
  }

  /** Records a proven word; only words above the top are kept (positions stay sorted). */
  add(position: number, word: Hex): void {
    if (position > this.top) {
      this.positions.push(position);
      this.words.push(word);
    }
  }

  private agree(
    ours: boolean,
    fromPosition: number,
    fromWord: Hex,
    toPosition: number,
    toWord: Hex,
  ): WordCheck {
    if (!this.crossCheck) return ours ? 'match' : 'mismatch';
    const theirs = verifyPaywordAgainst(
      this.hasher.alg,
      this.hasher.chainId,
      fromPosition,
      fromWord,
      toPosition,
      toWord,
    ).ok;
    if (theirs !== ours) return 'disagree';
    return ours ? 'match' : 'mismatch';
  }

  private lastAtOrBelow(position: number): number {
    let lo = 0;
    let hi = this.positions.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.positions[mid] ?? 0) <= position) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}
