import { PROTOCOL, ProtocolError } from './errors.js';

/**
 * Field rules shared by the parsers and the signers, so nothing can be signed
 * that would not parse back.
 */

/** Longest id (chain, vendor, key, receipt) in UTF-8 bytes. */
export const MAX_ID_BYTES = 256;
/** Longest free-text field (receipt resource) in UTF-8 bytes. */
export const MAX_TEXT_BYTES = 2048;
/** Most vendors a touchstone may name in its restriction. */
export const MAX_VENDOR_RESTRICTION = 1024;

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const ISO_UTC_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const CURRENCY = /^[A-Z]{3}$/;

function wellFormed(value: string): boolean {
  return Buffer.from(value, 'utf8').toString('utf8') === value;
}

/** Opaque id: 1..256 UTF-8 bytes, well-formed, no control characters. */
export function checkId(value: unknown, field: string): asserts value is string {
  checkText(value, field, MAX_ID_BYTES);
}

export function checkText(value: unknown, field: string, maxBytes: number): asserts value is string {
  if (typeof value !== 'string') throw new ProtocolError(PROTOCOL.BAD_TYPE, field, 'expected a string');
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes === 0 || bytes > maxBytes) {
    throw new ProtocolError(PROTOCOL.BAD_LENGTH, field, `expected 1..${maxBytes} UTF-8 bytes`);
  }
  if (CONTROL.test(value) || !wellFormed(value)) {
    throw new ProtocolError(PROTOCOL.BAD_VALUE, field, 'control characters or unpaired surrogates');
  }
}

/** ISO 8601 UTC with milliseconds (`2026-11-21T08:00:00.000Z`), and a real date. */
export function checkTimestamp(value: unknown, field: string): asserts value is string {
  if (typeof value !== 'string') throw new ProtocolError(PROTOCOL.BAD_TYPE, field, 'expected a string');
  if (!ISO_UTC_MS.test(value) || !timestampRoundTrips(value)) {
    throw new ProtocolError(PROTOCOL.BAD_TIMESTAMP, field, 'expected YYYY-MM-DDTHH:mm:ss.sssZ');
  }
}

function timestampRoundTrips(value: string): boolean {
  const ms = Date.parse(value);
  return Number.isFinite(ms) && new Date(ms).toISOString() === value;
}

export function checkCurrency(value: unknown, field: string): asserts value is string {
  if (typeof value !== 'string') throw new ProtocolError(PROTOCOL.BAD_TYPE, field, 'expected a string');
  if (!CURRENCY.test(value)) throw new ProtocolError(PROTOCOL.BAD_VALUE, field, 'expected an ISO 4217 code');
}

/** An integer in [min, max] (both safe integers). */
export function checkInt(
  value: unknown,
  field: string,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): asserts value is number {
  if (typeof value !== 'number') throw new ProtocolError(PROTOCOL.BAD_TYPE, field, 'expected a number');
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ProtocolError(PROTOCOL.BAD_VALUE, field, `expected an integer in ${min}..${max}`);
  }
}

/** `later` must be strictly after `earlier` (both already checked timestamps). */
export function checkAfter(earlier: string, later: string, field: string): void {
  if (Date.parse(later) <= Date.parse(earlier)) {
    throw new ProtocolError(PROTOCOL.BAD_VALUE, field, 'must be after issuedAt');
  }
}
