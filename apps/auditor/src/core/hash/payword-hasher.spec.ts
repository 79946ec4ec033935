import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { generateChain, hashStep } from '#protocol';
import { KnownWords } from './known-words.js';
import { PaywordHasher } from './payword-hasher.js';

const word = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b));
const chainId = fc
  .string({ minLength: 1, maxLength: 40, unit: 'grapheme' })
  .filter((s) => !/\p{Cc}/u.test(s));

describe('PaywordHasher (the auditor’s own chain step)', () => {
  it('agrees with the protocol library on every step', () => {
    fc.assert(
      fc.property(chainId, fc.integer({ min: 1, max: 2 ** 40 }), word, (id, position, w) => {
        const ours = new PaywordHasher('sha256', id).step(position, w).toString('hex');
        expect(ours).toBe(hashStep('sha256', id, position, w));
      }),
    );
  });

  it('is the spec: SHA-256(str(tag) ‖ str(chainId) ‖ u64be(i) ‖ W[i])', () => {
    const w = Buffer.alloc(32, 7);
    const str = (s: string): Buffer => {
      const b = Buffer.from(s, 'utf8');
      const len = Buffer.alloc(4);
      len.writeUInt32BE(b.length);
      return Buffer.concat([len, b]);
    };
    const u64 = Buffer.alloc(8);
    u64.writeBigUInt64BE(5_000_000_000n);
    const expected = createHash('sha256')
      .update(Buffer.concat([str('netpay/payword/v1'), str('chain_é'), u64, w]))
      .digest('hex');
    expect(new PaywordHasher('sha256', 'chain_é').step(5_000_000_000, w).toString('hex')).toBe(expected);
  });

  it('walks a generated chain from any word down to the root, sha256 and md5', () => {
    for (const alg of ['sha256', 'md5'] as const) {
      const chain = generateChain({ chainId: 'c1', length: 30, alg, seed: Buffer.alloc(32, 1) });
      const hasher = new PaywordHasher(alg, 'c1');
      expect(hasher.down(17, Buffer.from(chain.payword(17), 'hex'), 0).toString('hex')).toBe(chain.root);
      expect(hasher.down(30, Buffer.from(chain.payword(30), 'hex'), 12).toString('hex')).toBe(
        chain.payword(12),
      );
    }
  });
});

describe('KnownWords', () => {
  const chain = generateChain({ chainId: 'c1', length: 50, alg: 'sha256', seed: Buffer.alloc(32, 2) });

  it('proves a word from the nearest proven word below or above it', () => {
    const words = new KnownWords(new PaywordHasher('sha256', 'c1'), chain.root, true);
    words.add(40, chain.payword(40));
    expect(words.check(38, chain.payword(38))).toBe('match'); // from W[40] down
    expect(words.check(3, chain.payword(3))).toBe('match'); // down to W[0]
    expect(words.check(45, chain.payword(45))).toBe('match');
    expect(words.check(38, chain.payword(37))).toBe('mismatch');
    expect(words.check(45, chain.payword(45).slice(2))).toBe('mismatch');
  });

  it('reports a disagreement between its own step and the protocol library', () => {
    class Broken extends PaywordHasher {
      override step(position: number, w: Buffer): Buffer {
        return position === 2 ? Buffer.alloc(32) : super.step(position, w);
      }
    }
    const words = new KnownWords(new Broken('sha256', 'c1'), chain.root, true);
    expect(words.check(5, chain.payword(5))).toBe('disagree');
    expect(new KnownWords(new Broken('sha256', 'c1'), chain.root, false).check(5, chain.payword(5))).toBe(
      'mismatch',
    );
  });
});
