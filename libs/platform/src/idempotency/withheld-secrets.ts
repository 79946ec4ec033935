/** The stored form of an answer: its JSON without the secret fields, and which were left out. */
export function withoutSecrets(
  body: unknown,
  secretFields: readonly string[],
): { body: string; withheld?: string[] } {
  if (secretFields.length === 0 || typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { body: JSON.stringify(body) };
  }
  const kept: Record<string, unknown> = {};
  const withheld: string[] = [];
  for (const [field, value] of Object.entries(body)) {
    if (secretFields.includes(field)) withheld.push(field);
    else kept[field] = value;
  }
  return withheld.length === 0 ? { body: JSON.stringify(kept) } : { body: JSON.stringify(kept), withheld };
}
