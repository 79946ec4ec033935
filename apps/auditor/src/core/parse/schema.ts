/**
 * Small, strict readers for event data. The auditor trusts nothing the
 * services wrote: every field it relies on is checked for type and range here,
 * and a failure names the field (reported as R0.MALFORMED_EVENT, never a crash).
 */
export class MalformedData extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field || 'data'}: ${message}`);
    this.name = 'MalformedData';
  }
}

export type Fields = Readonly<Record<string, unknown>>;

const ID = /^[A-Za-z0-9_]{1,64}$/;
const HEX = /^(?:[0-9a-f]{2})+$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const CURRENCY = /^[A-Z]{3}$/;

export function object(value: unknown, field = ''): Fields {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new MalformedData(field, 'expected an object');
  }
  return value as Fields;
}

export function text(f: Fields, key: string, prefix = ''): string {
  const v = f[key];
  if (typeof v !== 'string' || v.length === 0)
    throw new MalformedData(prefix + key, 'expected a non-empty string');
  return v;
}

/** Ids as the stream names use them: [A-Za-z0-9_]{1,64}. */
export function id(f: Fields, key: string, prefix = ''): string {
  const v = text(f, key, prefix);
  if (!ID.test(v)) throw new MalformedData(prefix + key, `"${v}" is not an id`);
  return v;
}

export function optionalId(f: Fields, key: string, prefix = ''): string | undefined {
  return f[key] === undefined ? undefined : id(f, key, prefix);
}

export function int(f: Fields, key: string, min: number, prefix = ''): number {
  const v = f[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) {
    throw new MalformedData(prefix + key, `expected an integer ≥ ${min}, got ${JSON.stringify(v)}`);
  }
  return v;
}

export function hex(f: Fields, key: string, prefix = ''): string {
  const v = text(f, key, prefix);
  if (!HEX.test(v)) throw new MalformedData(prefix + key, 'expected lowercase hex');
  return v;
}

export function timestamp(f: Fields, key: string, prefix = ''): string {
  const v = text(f, key, prefix);
  if (!TIMESTAMP.test(v) || !Number.isFinite(Date.parse(v))) {
    throw new MalformedData(prefix + key, `"${v}" is not an ISO timestamp with milliseconds`);
  }
  return v;
}

export function currency(f: Fields, key: string, prefix = ''): string {
  const v = text(f, key, prefix);
  if (!CURRENCY.test(v)) throw new MalformedData(prefix + key, `"${v}" is not a currency code`);
  return v;
}

export function oneOf<T extends string>(f: Fields, key: string, allowed: readonly T[], prefix = ''): T {
  const v = f[key];
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw new MalformedData(prefix + key, `expected one of ${allowed.join(', ')}`);
  }
  return v as T;
}

export function idList(f: Fields, key: string, prefix = ''): string[] {
  const v = f[key];
  if (!Array.isArray(v) || v.length === 0)
    throw new MalformedData(prefix + key, 'expected a non-empty array');
  return v.map((item: unknown, i) => {
    if (typeof item !== 'string' || !ID.test(item))
      throw new MalformedData(`${prefix}${key}.${i}`, 'not an id');
    return item;
  });
}

export function list<T>(f: Fields, key: string, read: (item: Fields, prefix: string) => T): T[] {
  const v = f[key];
  if (!Array.isArray(v)) throw new MalformedData(key, 'expected an array');
  return v.map((item: unknown, i) => read(object(item, `${key}.${i}`), `${key}.${i}.`));
}
