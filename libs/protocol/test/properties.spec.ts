import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  generateChain,
  publicKeyRecord,
  signHandOffCertificate,
  signReceipt,
  SPEND,
  verifyHandOffCertificate,
  verifyReceipt,
  verifySpend,
  verifyTouchstone,
  type ChainIndex,
  type Hex,
} from '../src/index.js';
import { brokerKey, touchstoneFor, vendorAKey, vendorASigner } from './fixtures.js';

const seedArb = fc.uint8Array({ minLength: 32, maxLength: 32 });
const algArb = fc.constantFrom('sha256' as const, 'md5' as const);

/** A chain and a list of prices whose sum fits in it. */
const spendsArb = fc
  .record({
    seed: seedArb,
    alg: algArb,
    prices: fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 15 }),
  })
  .chain(({ seed, alg, prices }) => {
    const spent = prices.reduce((a, b) => a + b, 0);
    return fc.integer({ min: spent, max: spent + 20 }).map((length) => ({ seed, alg, prices, length }));
  });

function flipBit(hex: Hex, bit: number): Hex {
  const bytes = Buffer.from(hex, 'hex');
  const i = Math.floor(bit / 8) % bytes.length;
  bytes[i] = bytes[i]! ^ (1 << (bit % 8));
  return bytes.toString('hex');
}

describe('properties', () => {
  it('accepts any honest sequence of spends and ends at 1 + the coins spent', () => {
    fc.assert(
      fc.property(spendsArb, ({ seed, alg, prices, length }) => {
        const chain = generateChain({ chainId: 'p', length, alg, seed });
        const params = { chainId: 'p', alg, length };
        let state: ChainIndex = chain.initialIndex();
        for (const count of prices) {
          const result = verifySpend({
            chain: params,
            state,
            proof: chain.spendProof(state.index, count),
            count,
          });
          if (!result.ok) throw new Error(`${result.code}: ${result.message}`);
          state = result.state;
        }
        expect(state.index).toBe(1 + prices.reduce((a, b) => a + b, 0));
        expect(state.lastPayword).toBe(chain.payword(state.index - 1));
      }),
      { numRuns: 150 },
    );
  });

  it('rejects every single-bit mutation of a payword as forged', () => {
    fc.assert(
      fc.property(spendsArb, fc.nat(), ({ seed, alg, prices, length }, bit) => {
        const chain = generateChain({ chainId: 'p', length, alg, seed });
        const count = prices[0]!;
        const proof = chain.spendProof(1, count);
        const forged = { ...proof, payword: flipBit(proof.payword, bit) };
        const result = verifySpend({
          chain: { chainId: 'p', alg, length },
          state: chain.initialIndex(),
          proof: forged,
          count,
        });
        expect(result).toMatchObject({ ok: false, code: SPEND.PAYWORD_FORGED });
      }),
      { numRuns: 200 },
    );
  });

  it('rejects every other position for the price, with the honest payword or the word at that position', () => {
    fc.assert(
      fc.property(
        fc.record({ seed: seedArb, alg: algArb, length: fc.integer({ min: 3, max: 40 }) }),
        fc.nat(),
        fc.nat(),
        fc.integer({ min: -3, max: 45 }),
        ({ seed, alg, length }, a, b, position) => {
          const chain = generateChain({ chainId: 'p', length, alg, seed });
          const index = 1 + (a % length);
          const count = 1 + (b % (length - index + 1));
          const honest = index + count - 1;
          fc.pre(position !== honest);
          const state = { chainId: 'p', index, lastPayword: chain.payword(index - 1) };
          const inRange = position >= 0 && position <= length;
          for (const payword of [chain.payword(honest), inRange ? chain.payword(position) : chain.seed]) {
            const result = verifySpend({
              chain: { chainId: 'p', alg, length },
              state,
              proof: { chainId: 'p', position, payword },
              count,
            });
            expect(result.ok).toBe(false);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  const keys = [publicKeyRecord(brokerKey, 'broker'), publicKeyRecord(vendorAKey, 'vendor-a')];
  const chain = generateChain({ chainId: 'c-prop', length: 30, alg: 'sha256', seed: '01'.repeat(32) });
  const touchstone = touchstoneFor(chain, { vendorRestriction: ['vendor-a', 'vendor-b'] });

  /** Replace one field by another value of the same JSON type (strings get one char changed). */
  function mutate<T extends object>(value: T, field: keyof T, seedValue: number): T {
    const old = value[field] as unknown;
    let next: unknown;
    if (typeof old === 'number') next = old + 1 + (seedValue % 1000);
    else if (typeof old === 'string') {
      const i = seedValue % old.length;
      const replacement = /[0-9a-f]/.test(old[i]!)
        ? ((parseInt(old[i]!, 16) + 1 + (seedValue % 15)) % 16).toString(16)
        : 'x';
      next = old.slice(0, i) + (replacement === old[i] ? 'y' : replacement) + old.slice(i + 1);
    } else if (Array.isArray(old))
      next = seedValue % 2 === 0 ? [...(old as string[])].reverse() : (old as string[]).slice(1);
    return { ...value, [field]: next };
  }

  it('rejects every mutation of a touchstone field', () => {
    const fields = Object.keys(touchstone).filter((f) => f !== 'signature') as (keyof typeof touchstone)[];
    fc.assert(
      fc.property(fc.constantFrom(...fields), fc.nat(), (field, n) => {
        const changed = mutate(touchstone, field, n);
        fc.pre(JSON.stringify(changed) !== JSON.stringify(touchstone));
        expect(verifyTouchstone(changed, keys).ok).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('rejects every single-bit mutation of a signature', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 511 }), (bit) => {
        expect(
          verifyTouchstone({ ...touchstone, signature: flipBit(touchstone.signature, bit) }, keys).ok,
        ).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it('rejects every mutation of a hand-off certificate or receipt field', () => {
    const cert = signHandOffCertificate(
      {
        chainId: 'c-prop',
        fromVendor: 'vendor-a',
        toVendor: 'vendor-b',
        index: 9,
        lastPayword: chain.payword(8),
        at: '2026-11-21T09:30:00.000Z',
        vendorKeyId: vendorAKey.keyId,
      },
      vendorASigner,
    );
    const receipt = signReceipt(
      {
        receiptId: 'r-1',
        vendorId: 'vendor-a',
        chainId: 'c-prop',
        fromIndex: 3,
        toIndex: 8,
        amount: 30,
        currency: 'NZD',
        resource: 'article-7',
        at: '2026-11-21T09:00:00.000Z',
        vendorKeyId: vendorAKey.keyId,
      },
      vendorASigner,
    );
    const certFields = Object.keys(cert).filter((f) => f !== 'signature') as (keyof typeof cert)[];
    const receiptFields = Object.keys(receipt).filter((f) => f !== 'signature') as (keyof typeof receipt)[];
    fc.assert(
      fc.property(
        fc.constantFrom(...certFields),
        fc.constantFrom(...receiptFields),
        fc.nat(),
        (cf, rf, n) => {
          expect(verifyHandOffCertificate(mutate(cert, cf, n), keys).ok).toBe(false);
          expect(verifyReceipt(mutate(receipt, rf, n), keys).ok).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });
});
