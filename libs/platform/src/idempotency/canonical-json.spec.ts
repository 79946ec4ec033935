import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { canonicalJson } from './canonical-json.js';

function shuffleKeys(value: unknown, seed: number): unknown {
  if (Array.isArray(value)) return value.map((v) => shuffleKeys(v, seed));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value).map(([k, v]) => [k, shuffleKeys(v, seed)] as const);
  entries.sort(() => (seed % 2 ? 1 : -1)).reverse();
  return Object.fromEntries(entries);
}

describe('canonicalJson', () => {
  it('sorts keys at every depth and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, 1], c: null } })).toBe('{"a":{"c":null,"d":[3,1]},"b":1}');
    expect(canonicalJson([{ y: 1, x: 2 }])).toBe('[{"x":2,"y":1}]');
  });

  it('answers null for undefined (an empty body) and drops undefined fields like JSON', () => {
    expect(canonicalJson(undefined)).toBe('null');
    expect(canonicalJson({ a: undefined, b: 2 })).toBe('{"b":2}');
  });

  it('does not depend on key order', () => {
    fc.assert(
      fc.property(
        fc.jsonValue(),
        fc.nat(),
        (value, seed) => canonicalJson(shuffleKeys(value, seed)) === canonicalJson(value),
      ),
    );
  });
});
