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
