import { describe, expect, it } from '@jest/globals';
import { ProtocolError, SPEND, verifySpend } from '../src/index.js';
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
