import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  parseChainIndex,
  parseHandOffCertificate,
  parseHex,
  parsePublicKeyRecord,
  parseReceipt,
  parseSpendProof,
  parseTouchstone,
  ProtocolError,
} from '../src/index.js';
import { chainFixture, touchstoneFor } from './fixtures.js';

const parsers: [string, (value: unknown) => unknown][] = [
  ['parseTouchstone', parseTouchstone],
  ['parseSpendProof', parseSpendProof],
  ['parseChainIndex', parseChainIndex],
  ['parseHandOffCertificate', parseHandOffCertificate],
  ['parseReceipt', parseReceipt],
  ['parsePublicKeyRecord', parsePublicKeyRecord],
  ['parseHex', (value) => parseHex(value, { bytes: [16, 32] })],
];

/** Either a value or a ProtocolError with a known code: nothing else may escape. */
function outcome(parse: (value: unknown) => unknown, value: unknown): 'parsed' | 'rejected' {
  try {
    parse(value);
    return 'parsed';
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
    expect(error.code).toMatch(/^PROTOCOL\.[A-Z_]+$/);
    return 'rejected';
  }
}

const touchstone = touchstoneFor(chainFixture(10), { vendorRestriction: ['vendor-a'] });

describe('parsers under fuzzing', () => {
  it.each(parsers)('%s: arbitrary JSON in → a value or a ProtocolError', (_name, parse) => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        outcome(parse, value);
      }),
      { numRuns: 500 },
    );
  });

  it.each(parsers)(
    '%s: arbitrary JS values (null prototypes, boxed values, sparse arrays) never crash',
    (_name, parse) => {
      fc.assert(
        fc.property(
          fc.anything({
            withNullPrototype: true,
            withBoxedValues: true,
            withSparseArray: true,
            withBigInt: true,
            withDate: true,
            withMap: true,
          }),
          (value) => {
            outcome(parse, value);
          },
        ),
        { numRuns: 300 },
      );
    },
  );

  it('a touchstone with one field replaced, removed or added is parsed only when still valid', () => {
    const keys = [...Object.keys(touchstone), 'extra'];
    fc.assert(
      fc.property(fc.constantFrom(...keys), fc.option(fc.jsonValue(), { nil: undefined }), (key, value) => {
        const copy: Record<string, unknown> = JSON.parse(JSON.stringify(touchstone)) as Record<
          string,
          unknown
        >;
        if (value === undefined) delete copy[key];
        else copy[key] = value;
        if (outcome(parseTouchstone, copy) === 'parsed') {
          // Only the optional field may go missing, and no unknown field may slip in.
          if (value === undefined) expect(['extra', 'vendorRestriction']).toContain(key);
          else expect(key).not.toBe('extra');
        }
      }),
      { numRuns: 1000 },
    );
  });
});
