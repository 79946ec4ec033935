/**
 * JSON with object keys sorted at every depth, so two bodies that differ only in key order
 * have the same fingerprint. Arrays keep their order (it means something).
 */
export function canonicalJson(value: unknown): string {
  return (
    JSON.stringify(value, (_key, v: unknown) => {
      if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
      const entries = Object.entries(v as Record<string, unknown>).sort(([a], [b]) =>
        a < b ? -1 : a > b ? 1 : 0,
      );
      return Object.fromEntries(entries);
    }) ?? 'null'
  );
}
