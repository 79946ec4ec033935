import { timingSafeEqual } from 'node:crypto';
import { PROTOCOL, ProtocolError } from './errors.js';
import type { Hex } from './types.js';

/**
 * Hex on the wire is lowercase only. Uppercase is REJECTED, not normalised:
 * every byte string then has exactly one wire form, so ids, cache keys and
 * signed JSON never disagree about "the same" value.
 */
const LOWER_HEX = /^(?:[0-9a-f]{2})*$/;

export interface ParseHexOptions {
  /** Allowed decoded lengths in bytes (one number or a list). Any length when omitted. */
  readonly bytes?: number | readonly number[];
  /** Field name used in the error. */
  readonly field?: string;
}

/** Checks that `value` is lowercase hex of an allowed byte length and returns it unchanged. */
export function parseHex(value: unknown, options: ParseHexOptions = {}): Hex {
  const field = options.field ?? '';
  if (typeof value !== 'string') throw new ProtocolError(PROTOCOL.BAD_TYPE, field, 'expected a hex string');
  if (!LOWER_HEX.test(value)) {
    throw new ProtocolError(PROTOCOL.BAD_HEX, field, 'expected lowercase hex of even length');
  }
  const allowed = options.bytes;
  if (allowed !== undefined) {
    const list = typeof allowed === 'number' ? [allowed] : allowed;
    if (!list.includes(value.length / 2)) {
      throw new ProtocolError(
        PROTOCOL.BAD_LENGTH,
        field,
        `expected ${list.join(' or ')} bytes, got ${value.length / 2}`,
      );
    }
  }
  return value;
}

export function isHex(value: unknown, bytes?: number): value is Hex {
  return (
    typeof value === 'string' && LOWER_HEX.test(value) && (bytes === undefined || value.length === bytes * 2)
  );
}

/** Decodes hex that was already validated (throws a `ProtocolError` otherwise). */
export function hexToBytes(hex: Hex, field = ''): Buffer {
  parseHex(hex, { field });
  return Buffer.from(hex, 'hex');
}

export function bytesToHex(bytes: Uint8Array): Hex {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Constant-time equality of two byte strings (length is not secret). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && timingSafeEqual(a, b);
}
