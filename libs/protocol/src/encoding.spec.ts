import { describe, expect, it } from '@jest/globals';
import { CanonicalWriter } from './encoding.js';
import { ProtocolError } from './errors.js';

/** The encoding as `libs/protocol/README.md` writes it out, one field at a time. */
type Field =
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'bytes'; readonly value: Uint8Array }
  | { readonly kind: 'uint'; readonly value: number }
  | { readonly kind: 'strings'; readonly value: readonly string[] | undefined };

function u32be(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

function expected(tag: string, fields: readonly Field[]): Buffer {
  const str = (s: string): Buffer => Buffer.concat([u32be(Buffer.byteLength(s)), Buffer.from(s, 'utf8')]);
  const parts = [str(tag)];
  for (const f of fields) {
    if (f.kind === 'string') parts.push(str(f.value));
    else if (f.kind === 'bytes') parts.push(u32be(f.value.byteLength), Buffer.from(f.value));
    else if (f.kind === 'uint') {
      const b = Buffer.alloc(8);
      b.writeBigUInt64BE(BigInt(f.value));
      parts.push(b);
    } else if (f.value === undefined) parts.push(Buffer.of(0));
    else parts.push(Buffer.of(1), u32be(f.value.length), ...f.value.map(str));
  }
  return Buffer.concat(parts);
}

function written(tag: string, fields: readonly Field[]): Buffer {
  const w = new CanonicalWriter(tag);
  for (const f of fields) {
    if (f.kind === 'string') w.string(f.value);
    else if (f.kind === 'bytes') w.bytes(f.value);
    else if (f.kind === 'uint') w.uint(f.value);
    else w.optionalStrings(f.value);
  }
  return w.toBytes();
}

/** A small deterministic generator, so a failure names the seed that shows it. */
function random(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x1_0000_0000;
  };
}

const ALPHABET = ['a', 'Z', '0', '/', 'é', '€', '😀', ' ', '\u0000'];

function fieldsOf(seed: number): Field[] {
  const next = random(seed);
  const text = (max: number): string =>
    Array.from(
      { length: Math.floor(next() * max) },
      () => ALPHABET[Math.floor(next() * ALPHABET.length)],
    ).join('');
  return Array.from({ length: 1 + Math.floor(next() * 40) }, (): Field => {
    const pick = Math.floor(next() * 5);
    if (pick === 0) return { kind: 'string', value: text(next() < 0.1 ? 2_000 : 40) };
    if (pick === 1)
      return {
        kind: 'bytes',
        value: Uint8Array.from({ length: Math.floor(next() * 300) }, () => next() * 256),
      };
    if (pick === 2) return { kind: 'uint', value: Math.floor(next() * Number.MAX_SAFE_INTEGER) };
    if (pick === 3) return { kind: 'uint', value: Math.floor(next() * 0x1_0000_0000) };
    return {
      kind: 'strings',
      value: next() < 0.3 ? undefined : Array.from({ length: Math.floor(next() * 5) }, () => text(20)),
    };
  });
}

describe('canonical encoding', () => {
  it('writes every field as the spec says, across any number of buffer growths', () => {
    for (let seed = 1; seed <= 500; seed++) {
      const fields = fieldsOf(seed);
      expect({ seed, bytes: written('netpay/test/v1', fields).toString('hex') }).toEqual({
        seed,
        bytes: expected('netpay/test/v1', fields).toString('hex'),
      });
    }
  });

  it('crosses its first buffer exactly on a field boundary and inside a length prefix', () => {
    // The tag takes 4 + 3 bytes; each filler string 4 + n. Land the next field at 250–258.
    for (let pad = 230; pad <= 260; pad++) {
      const fields: Field[] = [
        { kind: 'string', value: 'x'.repeat(pad) },
        { kind: 'uint', value: 2 ** 40 + 7 },
        { kind: 'strings', value: ['é', 'z'] },
        { kind: 'bytes', value: Uint8Array.of(1, 2, 3) },
      ];
      expect(written('tag', fields).equals(expected('tag', fields))).toBe(true);
    }
  });

  it('refuses a string that is not well-formed Unicode, and integers it cannot encode', () => {
    expect(() => new CanonicalWriter('t').string('a\uD800b')).toThrow(/well-formed/);
    // What a parsed message may hold where a string belongs: a ProtocolError ("invalid"), never a TypeError.
    for (const notString of [['a'], 7, null, { a: 1 }] as unknown as string[]) {
      expect(() => new CanonicalWriter('t').string(notString)).toThrow(ProtocolError);
    }
    expect(() => new CanonicalWriter('t').uint(-1)).toThrow(/non-negative safe integer/);
    expect(() => new CanonicalWriter('t').uint(2 ** 53)).toThrow(/non-negative safe integer/);
    expect(() => new CanonicalWriter('t').uint(1.5)).toThrow(/non-negative safe integer/);
  });

  it('copies the bytes it is given: changing them afterwards changes nothing written', () => {
    const input = Uint8Array.of(9, 9, 9);
    const w = new CanonicalWriter('t').bytes(input);
    input[0] = 0;
    expect(w.toBytes().subarray(-3)).toEqual(Buffer.of(9, 9, 9));
  });
});
