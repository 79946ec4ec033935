import { describe, expect, it } from '@jest/globals';
import {
  givenAwayBy,
  MAX_GIVEN_AWAY_HASHES,
  ProtocolError,
  SPEND,
  verifySpend,
  type PaywordAt,
} from '../src/index.js';
import { chainFixture } from './fixtures.js';

const chain = chainFixture(20);
const params = { chainId: chain.chainId, alg: chain.alg, length: chain.length };

describe('verifySpend', () => {
  it('accepts k coins at index I when the proof is W[I+k-1] and moves I to I+k', () => {
    const first = verifySpend({
      chain: params,
      state: chain.initialIndex(),
      proof: chain.spendProof(1, 3),
      count: 3,
    });
    expect(first).toEqual({
      ok: true,
      state: { chainId: 'chain-1', index: 4, lastPayword: chain.payword(3) },
      fromIndex: 1,
      toIndex: 3,
      count: 3,
    });
    if (!first.ok) throw new Error('unreachable');
    const second = verifySpend({
      chain: params,
      state: first.state,
      proof: chain.spendProof(4, 1),
      count: 1,
    });
    expect(second).toMatchObject({ ok: true, state: { index: 5 }, fromIndex: 4, toIndex: 4 });
  });

  it('spends the last coin, and no more', () => {
    const state = { chainId: 'chain-1', index: 20, lastPayword: chain.payword(19) };
    expect(verifySpend({ chain: params, state, proof: chain.spendProof(20, 1), count: 1 })).toMatchObject({
      ok: true,
      state: { index: 21 },
    });
    expect(verifySpend({ chain: params, state, proof: chain.spendProof(20, 1), count: 2 })).toMatchObject({
      code: SPEND.CHAIN_EXHAUSTED,
    });
  });

  const state = { chainId: 'chain-1', index: 5, lastPayword: chain.payword(4) };
  const cases: [string, Parameters<typeof verifySpend>[0], string][] = [
    [
      'a forged payword',
      { chain: params, state, proof: { ...chain.spendProof(5, 2), payword: chain.payword(7) }, count: 2 },
      SPEND.PAYWORD_FORGED,
    ],
    [
      'a word of another chain',
      {
        chain: params,
        state,
        proof: { ...chainFixture(20, 'sha256', 'other').spendProof(5, 1), chainId: 'chain-1' },
        count: 1,
      },
      SPEND.PAYWORD_FORGED,
    ],
    [
      'a payword of the wrong size',
      {
        chain: params,
        state,
        proof: { chainId: 'chain-1', position: 5, payword: 'ab'.repeat(16) },
        count: 1,
      },
      SPEND.PAYWORD_FORGED,
    ],
    [
      'a replayed payword',
      { chain: params, state, proof: chain.spendProof(4, 1), count: 1 },
      SPEND.PAYWORD_REPLAYED,
    ],
    [
      'a skipped position',
      { chain: params, state, proof: chain.spendProof(5, 3), count: 2 },
      SPEND.PAYWORD_SKIPPED,
    ],
    [
      'position 0',
      { chain: params, state, proof: { chainId: 'chain-1', position: 0, payword: chain.root }, count: 1 },
      SPEND.OUT_OF_RANGE,
    ],
    [
      'a position past n',
      { chain: params, state, proof: { chainId: 'chain-1', position: 21, payword: chain.seed }, count: 17 },
      SPEND.OUT_OF_RANGE,
    ],
    [
      'another chain id',
      { chain: params, state, proof: { ...chain.spendProof(5, 1), chainId: 'chain-2' }, count: 1 },
      SPEND.WRONG_CHAIN,
    ],
    [
      'a fractional price',
      { chain: params, state, proof: chain.spendProof(5, 1), count: 1.5 },
      SPEND.INVALID_COUNT,
    ],
    ['a zero price', { chain: params, state, proof: chain.spendProof(5, 1), count: 0 }, SPEND.INVALID_COUNT],
    [
      'a NaN price',
      { chain: params, state, proof: chain.spendProof(5, 1), count: Number.NaN },
      SPEND.INVALID_COUNT,
    ],
  ];
  it.each(cases)('rejects %s with a stable code', (_name, request, code) => {
    const result = verifySpend(request);
    expect(result).toMatchObject({ ok: false, code });
    if (!result.ok) expect(result.message.length).toBeGreaterThan(0);
  });

  it('throws for a state that belongs to another chain (a programmer error)', () => {
    const foreign = { chainId: 'chain-2', index: 1, lastPayword: chain.root };
    expect(() =>
      verifySpend({ chain: params, state: foreign, proof: chain.spendProof(1, 1), count: 1 }),
    ).toThrow(ProtocolError);
  });

  it('verifies md5 chains the papers’ way', () => {
    const md5 = chainFixture(5, 'md5');
    const result = verifySpend({
      chain: { chainId: md5.chainId, alg: 'md5', length: 5 },
      state: md5.initialIndex(),
      proof: md5.spendProof(1, 5),
      count: 5,
    });
    expect(result).toMatchObject({ ok: true, state: { index: 6, lastPayword: md5.payword(5) } });
  });
});

describe('givenAwayBy', () => {
  const at = (position: number, c = chain): PaywordAt => ({ position, payword: c.payword(position) });

  it('says yes for a payword at or before a revealed word of its chain', () => {
    expect(givenAwayBy(chain.chainId, at(7), at(7))).toBe(true);
    expect(givenAwayBy(chain.chainId, at(3), at(7))).toBe(true);
    expect(givenAwayBy(chain.chainId, at(1), at(20))).toBe(true);
    const md5 = chainFixture(20, 'md5', 'chain-md5');
    expect(givenAwayBy(md5.chainId, at(2, md5), at(9, md5))).toBe(true);
  });

  it('says no for a later payword, another chain, or a word that is not the chain’s', () => {
    expect(givenAwayBy(chain.chainId, at(8), at(7))).toBe(false);
    const other = chainFixture(20, 'sha256', 'chain-2');
    expect(givenAwayBy(chain.chainId, at(3), at(7, other))).toBe(false);
    // A forged "revealed" word (anyone with write rights could state one) reaches no genuine payword.
    expect(givenAwayBy(chain.chainId, at(3), { position: 7, payword: 'ab'.repeat(32) })).toBe(false);
    expect(givenAwayBy(chain.chainId, { position: 3, payword: 'ab'.repeat(32) }, at(7))).toBe(false);
    // Sound only under the chain's own id: sha256 steps bind the chain and the position.
    expect(givenAwayBy('chain-2', at(3), at(7))).toBe(false);
    expect(givenAwayBy(chain.chainId, { position: 4, payword: chain.payword(3) }, at(7))).toBe(false);
  });

  it('says no, without throwing, for anything malformed or too far apart', () => {
    expect(givenAwayBy(chain.chainId, { position: 0, payword: chain.payword(1) }, at(1))).toBe(false);
    expect(givenAwayBy(chain.chainId, { position: 1.5, payword: chain.payword(1) }, at(2))).toBe(false);
    expect(givenAwayBy(chain.chainId, at(1), { position: 2, payword: 'xyz' })).toBe(false);
    expect(givenAwayBy(chain.chainId, at(1), { position: 2, payword: chain.payword(2).slice(0, 32) })).toBe(
      false,
    );
    const bad = { position: 3, payword: 42 } as unknown as PaywordAt;
    expect(givenAwayBy(chain.chainId, bad, at(7))).toBe(false);
    // A genuine word too far above the shown one: no, rather than that many hashes per request.
    const long = chainFixture(MAX_GIVEN_AWAY_HASHES + 2, 'sha256', 'chain-long');
    expect(givenAwayBy(long.chainId, at(2, long), at(MAX_GIVEN_AWAY_HASHES + 2, long))).toBe(true);
    expect(givenAwayBy(long.chainId, at(1, long), at(MAX_GIVEN_AWAY_HASHES + 2, long))).toBe(false);
  });
});
