import { PROTOCOL, ProtocolError, reject, SPEND, type Rejection, type SpendRejectionCode } from './errors.js';
import { chainHasher, checkAlg, checkLength, paywordBytes } from './hash-chain.js';
import { bytesEqual, isHex } from './hex.js';
import type { ChainAlgorithm, ChainIndex, Hex, SpendProof } from './types.js';

/** What a verifier must know of a chain: usually the touchstone itself. */
export interface ChainParameters {
  readonly chainId: string;
  readonly alg: ChainAlgorithm;
  /** n */
  readonly length: number;
}

export interface SpendRequest {
  readonly chain: ChainParameters;
  /** The holder's (I, W[I-1]). */
  readonly state: ChainIndex;
  readonly proof: SpendProof;
  /** k: the price in coins. */
  readonly count: number;
}

export interface AcceptedSpend {
  readonly ok: true;
  /** (I + k, proof.payword). */
  readonly state: ChainIndex;
  /** Positions [fromIndex, toIndex] are now spent. */
  readonly fromIndex: number;
  readonly toIndex: number;
  readonly count: number;
}

export type SpendCheck = AcceptedSpend | Rejection<SpendRejectionCode>;

/**
 * Verifies a spend of k coins at index I: the proof must be W[I+k-1], and k
 * hashes of it must reach W[I-1]. No public-key operation.
 *
 * Rejections are returned (never thrown), checked in this order:
 * INVALID_COUNT, WRONG_CHAIN, OUT_OF_RANGE, PAYWORD_REPLAYED, CHAIN_EXHAUSTED,
 * PAYWORD_SKIPPED, PAYWORD_FORGED. A `state` that does not belong to `chain`
 * is a programmer error and throws.
 */
export function verifySpend(request: SpendRequest): SpendCheck {
  const { chain, state, proof, count } = request;
  checkAlg(chain.alg);
  checkLength(chain.length);
  checkState(chain, state);
  const index = state.index;
  if (!Number.isSafeInteger(count) || count < 1) {
    return reject(SPEND.INVALID_COUNT, `price must be a positive whole number of coins, got ${count}`);
  }
  if (proof.chainId !== chain.chainId) {
    return reject(SPEND.WRONG_CHAIN, `proof is for chain ${proof.chainId}, not ${chain.chainId}`);
  }
  const position = proof.position;
  if (!Number.isSafeInteger(position) || position < 1 || position > chain.length) {
    return reject(SPEND.OUT_OF_RANGE, `position ${position} is outside 1..${chain.length}`);
  }
  if (position < index) {
    return reject(
      SPEND.PAYWORD_REPLAYED,
      `position ${position} was already spent (next unspent is ${index})`,
    );
  }
  const expected = index + count - 1;
  if (expected > chain.length) {
    return reject(SPEND.CHAIN_EXHAUSTED, `${count} coins asked, ${chain.length - index + 1} left`);
  }
  if (position !== expected) {
    return reject(
      SPEND.PAYWORD_SKIPPED,
      `a spend of ${count} at index ${index} must show position ${expected}, not ${position}`,
    );
  }
  const check = verifyPaywordAgainst(
    chain.alg,
    chain.chainId,
    index - 1,
    state.lastPayword,
    position,
    proof.payword,
  );
  if (!check.ok) return check;
  return {
    ok: true,
    state: { chainId: chain.chainId, index: position + 1, lastPayword: proof.payword },
    fromIndex: index,
    toIndex: position,
    count,
  };
}

function checkState(chain: ChainParameters, state: ChainIndex): void {
  if (state.chainId !== chain.chainId) {
    throw new ProtocolError(
      PROTOCOL.BAD_ARGUMENT,
      'state.chainId',
      `state of ${state.chainId} used for ${chain.chainId}`,
    );
  }
  if (!Number.isSafeInteger(state.index) || state.index < 1 || state.index > chain.length + 1) {
    throw new ProtocolError(
      PROTOCOL.BAD_ARGUMENT,
      'state.index',
      `index ${state.index} is outside 1..${chain.length + 1}`,
    );
  }
  if (!isHex(state.lastPayword, paywordBytes(chain.alg))) {
    throw new ProtocolError(PROTOCOL.BAD_ARGUMENT, 'state.lastPayword', `not a ${chain.alg} payword`);
  }
}

export type PaywordCheck = { readonly ok: true } | Rejection<'SPEND.PAYWORD_FORGED' | 'SPEND.OUT_OF_RANGE'>;

/**
 * Whether `toWord` (claimed W[toPosition]) hashes down to `fromWord` (W[fromPosition])
 * in toPosition - fromPosition steps. For redemption and audit: any two known
 * points of a chain. Constant-time comparison; malformed words are forgeries.
 */
export function verifyPaywordAgainst(
  alg: ChainAlgorithm,
  chainId: string,
  fromPosition: number,
  fromWord: Hex,
  toPosition: number,
  toWord: Hex,
): PaywordCheck {
  if (
    !Number.isSafeInteger(fromPosition) ||
    !Number.isSafeInteger(toPosition) ||
    fromPosition < 0 ||
    toPosition < fromPosition
  ) {
    return reject(SPEND.OUT_OF_RANGE, `cannot hash from position ${toPosition} down to ${fromPosition}`);
  }
  const width = paywordBytes(alg);
  if (!isHex(fromWord, width) || !isHex(toWord, width)) {
    return reject(SPEND.PAYWORD_FORGED, `not a ${alg} payword (${width} bytes of lowercase hex)`);
  }
  const reached =
    toPosition === 0
      ? Buffer.from(toWord, 'hex')
      : chainHasher(alg, chainId).hashDown(toPosition, Buffer.from(toWord, 'hex'), toPosition - fromPosition);
  if (!bytesEqual(reached, Buffer.from(fromWord, 'hex'))) {
    return reject(
      SPEND.PAYWORD_FORGED,
      `payword at ${toPosition} does not hash to the word at ${fromPosition}`,
    );
  }
  return { ok: true };
}

/** A payword and its position in a chain. */
export interface PaywordAt {
  readonly position: number;
  readonly payword: Hex;
}

/**
 * The most hashes `givenAwayBy` does before answering no (~1.5 ms here): a caller answering no
 * goes on to its full check, which it can remember, where this one is made again for each request.
 */
export const MAX_GIVEN_AWAY_HASHES = 1_024;

/**
 * Whether the payword `shown` is given away by `revealed`, a word of the same chain at a position
 * at or after it: W[p-1] = h(W[p]), so whoever knows W[t] knows every W[p] with p ≤ t, and W[p]
 * pays for nothing any more. It needs no touchstone: the words' width names the algorithm, and a
 * shown word that hashes to a revealed one is either spent already (both are the chain's) or
 * forged (neither is) — to be refused either way. A revealed word that is not the chain's (written
 * by someone who may not) never reaches a genuine payword, so it cannot refuse one. False when it
 * would take more than MAX_GIVEN_AWAY_HASHES hashes, or on anything malformed.
 */
export function givenAwayBy(chainId: string, shown: PaywordAt, revealed: PaywordAt): boolean {
  const steps = revealed.position - shown.position;
  if (
    !Number.isSafeInteger(shown.position) ||
    !Number.isSafeInteger(revealed.position) ||
    shown.position < 1 ||
    steps < 0 ||
    steps > MAX_GIVEN_AWAY_HASHES ||
    typeof shown.payword !== 'string' ||
    typeof revealed.payword !== 'string'
  ) {
    return false;
  }
  const alg: ChainAlgorithm | undefined =
    revealed.payword.length === paywordBytes('sha256') * 2
      ? 'sha256'
      : revealed.payword.length === paywordBytes('md5') * 2
        ? 'md5'
        : undefined;
  if (alg === undefined) return false;
  try {
    return verifyPaywordAgainst(
      alg,
      chainId,
      shown.position,
      shown.payword,
      revealed.position,
      revealed.payword,
    ).ok;
  } catch {
    return false;
  }
}
