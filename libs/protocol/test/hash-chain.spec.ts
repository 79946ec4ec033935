import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import {
  generateChain,
  hashStep,
  isWeakAlgorithm,
  paywordAt,
  ProtocolError,
  verifyPaywordAgainst,
} from '../src/index.js';

const seed = '5e'.repeat(32);

describe('hash chains', () => {
  it('links every word to the next by one hash step: W[i-1] = H(i, W[i])', () => {
    const chain = generateChain({ chainId: 'c', length: 10, alg: 'sha256', seed });
    for (let i = 1; i <= 10; i++) {
      expect(hashStep('sha256', 'c', i, chain.payword(i))).toBe(chain.payword(i - 1));
    }
    expect(hashStep('sha256', 'c', 11, chain.seed)).toBe(chain.payword(10));
    expect(chain.payword(0)).toBe(chain.root);
  });

  it('binds the sha256 step to the tag, the chain id and the position as specified', () => {
    const word = Buffer.alloc(32, 7);
    const tag = Buffer.from('netpay/payword/v1');
    const id = Buffer.from('chain-ü');
    const u32 = (n: number) => Buffer.from([0, 0, 0, n]);
    const position = Buffer.alloc(8);
    position.writeBigUInt64BE(3n);
    const expected = createHash('sha256')
      .update(Buffer.concat([u32(tag.length), tag, u32(id.length), id, position, word]))
      .digest('hex');
    expect(hashStep('sha256', 'chain-ü', 3, word)).toBe(expected);
    expect(hashStep('sha256', 'chain-ü', 4, word)).not.toBe(expected);
    const big = 2 ** 40 + 5;
    position.writeBigUInt64BE(BigInt(big));
    const expectedBig = createHash('sha256')
      .update(Buffer.concat([u32(tag.length), tag, u32(id.length), id, position, word]))
      .digest('hex');
    expect(hashStep('sha256', 'chain-ü', big, word)).toBe(expectedBig);
    expect(hashStep('sha256', 'chain-v', 3, word)).not.toBe(expected);
  });

  it('reproduces the papers’ plain md5 chain and flags it weak', () => {
    const chain = generateChain({ chainId: 'c', length: 3, alg: 'md5', seed });
    expect(chain.payword(3)).toBe(createHash('md5').update(Buffer.from(seed, 'hex')).digest('hex'));
    expect(chain.payword(2)).toBe(
      createHash('md5')
        .update(Buffer.from(chain.payword(3), 'hex'))
        .digest('hex'),
    );
    expect(isWeakAlgorithm('md5')).toBe(true);
    expect(isWeakAlgorithm('sha256')).toBe(false);
  });

  it('gives different chains for different chain ids from the same seed', () => {
    const a = generateChain({ chainId: 'a', length: 5, alg: 'sha256', seed });
    const b = generateChain({ chainId: 'b', length: 5, alg: 'sha256', seed });
    expect(a.root).not.toBe(b.root);
  });

  it('derives any word from the seed alone, and checkpoint storage agrees with full storage', () => {
    const full = generateChain({ chainId: 'c', length: 50, alg: 'sha256', seed });
    const light = generateChain({ chainId: 'c', length: 50, alg: 'sha256', seed, storage: 'checkpoints' });
    for (let i = 0; i <= 50; i++) {
      expect(light.payword(i)).toBe(full.payword(i));
    }
    for (const i of [0, 1, 17, 49, 50]) expect(paywordAt(seed, 'c', 'sha256', 50, i)).toBe(full.payword(i));
  });

  it('draws the seed from the injected randomness', () => {
    const chain = generateChain({
      chainId: 'c',
      length: 2,
      alg: 'sha256',
      randomBytes: (n) => Buffer.alloc(n, 9),
    });
    expect(chain.seed).toBe('09'.repeat(32));
  });

  it('refuses bad lengths, positions and seeds as programmer errors', () => {
    expect(() => generateChain({ chainId: 'c', length: 0, alg: 'sha256' })).toThrow(ProtocolError);
    expect(() => generateChain({ chainId: 'c', length: 1_000_001, alg: 'sha256' })).toThrow(ProtocolError);
    expect(() => generateChain({ chainId: 'c', length: 3, alg: 'sha256', seed: 'abcd' })).toThrow(
      ProtocolError,
    );
    const chain = generateChain({ chainId: 'c', length: 3, alg: 'sha256', seed });
    expect(() => chain.payword(4)).toThrow(ProtocolError);
    expect(() => chain.payword(-1)).toThrow(ProtocolError);
    expect(() => hashStep('sha256', 'c', 0, chain.root)).toThrow(ProtocolError);
  });

  it('generates a 100 000-word chain', () => {
    const chain = generateChain({ chainId: 'long', length: 100_000, alg: 'sha256', seed });
    expect(hashStep('sha256', 'long', 100_000, chain.payword(100_000))).toBe(chain.payword(99_999));
    expect(verifyPaywordAgainst('sha256', 'long', 0, chain.root, 100_000, chain.payword(100_000))).toEqual({
      ok: true,
    });
  });

  describe('verifyPaywordAgainst', () => {
    const chain = generateChain({ chainId: 'c', length: 10, alg: 'sha256', seed });
    it('accepts any two points of the chain', () => {
      expect(verifyPaywordAgainst('sha256', 'c', 2, chain.payword(2), 7, chain.payword(7)).ok).toBe(true);
      expect(verifyPaywordAgainst('sha256', 'c', 4, chain.payword(4), 4, chain.payword(4)).ok).toBe(true);
    });
    it('rejects a word at the wrong distance, a malformed word and a reversed range', () => {
      expect(verifyPaywordAgainst('sha256', 'c', 2, chain.payword(2), 7, chain.payword(8))).toMatchObject({
        ok: false,
        code: 'SPEND.PAYWORD_FORGED',
      });
      expect(verifyPaywordAgainst('sha256', 'c', 2, chain.payword(2), 7, 'zz')).toMatchObject({
        code: 'SPEND.PAYWORD_FORGED',
      });
      expect(verifyPaywordAgainst('sha256', 'c', 7, chain.payword(7), 2, chain.payword(2))).toMatchObject({
        code: 'SPEND.OUT_OF_RANGE',
      });
    });
  });
});
