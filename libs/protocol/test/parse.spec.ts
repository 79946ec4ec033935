import { describe, expect, it } from '@jest/globals';
import {
  parseChainIndex,
  parseHex,
  parseSpendProof,
  parseTouchstone,
  ProtocolError,
  verifyTouchstone,
  publicKeyRecord,
} from '../src/index.js';
import { brokerKey, chainFixture, touchstoneFor } from './fixtures.js';

const chain = chainFixture(20);

function codeOf(fn: () => unknown): { code: string; field: string } | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    if (error instanceof ProtocolError) return { code: error.code, field: error.field };
    throw error;
  }
}

describe('parsing', () => {
  it('parses a touchstone that went through JSON and it still verifies', () => {
    const t = touchstoneFor(chain, { vendorRestriction: ['vendor-a'] });
    const parsed = parseTouchstone(JSON.parse(JSON.stringify(t)));
    expect(parsed).toEqual(t);
    expect(verifyTouchstone(parsed, [publicKeyRecord(brokerKey)]).ok).toBe(true);
  });

  it('names the code and field of every defect', () => {
    const t = JSON.parse(JSON.stringify(touchstoneFor(chain))) as Record<string, string>;
    const { coinValue: _c, ...missing } = t;
    expect(codeOf(() => parseTouchstone(missing))).toEqual({
      code: 'PROTOCOL.MISSING_FIELD',
      field: 'coinValue',
    });
    expect(codeOf(() => parseTouchstone({ ...t, customer: 'alice' }))).toEqual({
      code: 'PROTOCOL.UNKNOWN_FIELD',
      field: 'customer',
    });
    expect(codeOf(() => parseTouchstone({ ...t, length: '20' }))).toEqual({
      code: 'PROTOCOL.BAD_TYPE',
      field: 'length',
    });
    expect(codeOf(() => parseTouchstone({ ...t, root: t.root!.toUpperCase() }))).toEqual({
      code: 'PROTOCOL.BAD_HEX',
      field: 'root',
    });
    expect(codeOf(() => parseTouchstone({ ...t, root: 'ab' }))).toEqual({
      code: 'PROTOCOL.BAD_LENGTH',
      field: 'root',
    });
    expect(codeOf(() => parseTouchstone({ ...t, alg: 'sha1' }))).toEqual({
      code: 'PROTOCOL.BAD_VALUE',
      field: 'alg',
    });
    expect(codeOf(() => parseTouchstone({ ...t, issuedAt: 'yesterday' }))).toEqual({
      code: 'PROTOCOL.BAD_TIMESTAMP',
      field: 'issuedAt',
    });
    expect(codeOf(() => parseTouchstone({ ...t, vendorRestriction: ['a', 3] }))).toEqual({
      code: 'PROTOCOL.BAD_TYPE',
      field: 'vendorRestriction.1',
    });
    expect(codeOf(() => parseTouchstone([t]))).toEqual({ code: 'PROTOCOL.BAD_TYPE', field: '' });
    expect(codeOf(() => parseTouchstone(null))).toEqual({ code: 'PROTOCOL.BAD_TYPE', field: '' });
    expect(codeOf(() => parseTouchstone(JSON.parse('{"__proto__": {}}')))).toEqual({
      code: 'PROTOCOL.UNKNOWN_FIELD',
      field: '__proto__',
    });
  });

  it('parses spend proofs and chain indexes strictly', () => {
    const proof = chain.spendProof(1, 2);
    expect(parseSpendProof({ ...proof })).toEqual(proof);
    expect(codeOf(() => parseSpendProof({ ...proof, position: 1.5 }))).toEqual({
      code: 'PROTOCOL.BAD_VALUE',
      field: 'position',
    });
    expect(codeOf(() => parseSpendProof({ ...proof, payword: 'ab'.repeat(20) }))).toEqual({
      code: 'PROTOCOL.BAD_LENGTH',
      field: 'payword',
    });
    expect(parseChainIndex(chain.initialIndex())).toEqual(chain.initialIndex());
    expect(codeOf(() => parseChainIndex({ ...chain.initialIndex(), index: 0 }))).toEqual({
      code: 'PROTOCOL.BAD_VALUE',
      field: 'index',
    });
  });

  it('rejects uppercase, odd-length and non-hex strings', () => {
    expect(parseHex('00ff', { bytes: 2 })).toBe('00ff');
    expect(codeOf(() => parseHex('00FF'))?.code).toBe('PROTOCOL.BAD_HEX');
    expect(codeOf(() => parseHex('0'))?.code).toBe('PROTOCOL.BAD_HEX');
    expect(codeOf(() => parseHex('0g'))?.code).toBe('PROTOCOL.BAD_HEX');
    expect(codeOf(() => parseHex(12))?.code).toBe('PROTOCOL.BAD_TYPE');
    expect(codeOf(() => parseHex('00', { bytes: [16, 32] }))?.code).toBe('PROTOCOL.BAD_LENGTH');
  });
});
