import { PROTOCOL, ProtocolError } from './errors.js';

/**
 * Canonical byte encoding shared by everything that is hashed or signed.
 *
 * - string: u32 big-endian byte length, then the UTF-8 bytes (must be well-formed UTF-16 input).
 * - bytes:  u32 big-endian byte length, then the bytes.
 * - uint:   u64 big-endian (the value must be a non-negative safe integer).
 * - optional string list: u8 0 when absent; u8 1, u32 count, then each string.
 *
 * Every message starts with its domain tag encoded as a string, so a signature
 * over one kind of message can never verify as another kind. The spec is
 * written out in `libs/protocol/README.md`.
 */
export class CanonicalWriter {
  private readonly parts: Buffer[] = [];

  constructor(tag: string) {
    this.string(tag);
  }

  string(value: string): this {
    const utf8 = Buffer.from(value, 'utf8');
    // Lone surrogates encode to U+FFFD: two different strings, one encoding. Refuse them.
    if (utf8.toString('utf8') !== value) {
      throw new ProtocolError(PROTOCOL.BAD_VALUE, '', 'string is not well-formed Unicode');
    }
    return this.bytes(utf8);
  }

  bytes(value: Uint8Array): this {
    this.parts.push(u32(value.byteLength), Buffer.from(value));
    return this;
  }

  uint(value: number): this {
    this.parts.push(u64(value));
    return this;
  }

  optionalStrings(values: readonly string[] | undefined): this {
    if (values === undefined) {
      this.parts.push(Buffer.of(0));
      return this;
    }
    this.parts.push(Buffer.of(1), u32(values.length));
    for (const value of values) this.string(value);
    return this;
  }

  toBytes(): Buffer {
    return Buffer.concat(this.parts);
  }
}

export function u32(value: number): Buffer {
  if (!Number.isInteger(value) || value < 0 || value > 0xffff_ffff) {
    throw new ProtocolError(PROTOCOL.BAD_VALUE, '', `not a u32: ${value}`);
  }
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value);
  return out;
}

export function u64(value: number): Buffer {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new ProtocolError(PROTOCOL.BAD_VALUE, '', `not a non-negative safe integer: ${value}`);
  }
  const out = Buffer.alloc(8);
  out.writeBigUInt64BE(BigInt(value));
  return out;
}
