export type IdentityKind = 'customer id' | 'name' | 'token hash' | 'bank account';

export interface IdentityHit {
  readonly kind: IdentityKind;
  readonly customerId: string;
  /** Dotted path of the field that holds it (`data.touchstone.vendorRestriction.0`, `metadata.actor`). */
  readonly path: string;
}

/** Values shorter than this are too likely to occur by chance ("Al", "7"). */
const MIN_LENGTH = 3;
/** Names of up to this many words are found inside longer free text. */
const MAX_WORDS = 4;
/** Fields whose values come from a fixed vocabulary or are timestamps: never identities. */
const CLOSED_FIELDS = new Set(['alg', 'wallet', 'currency', 'at', 'issuedAt', 'expiresAt']);

const ONE_TOKEN = /^[A-Za-z0-9_]*$/;

/** Case and punctuation do not hide a name: "Smith, Alice" and "alice  smith" normalise alike per word. */
function normalise(value: string): string {
  return value
    .toLowerCase()
    .replace(/[^\p{L}\p{N}_]+/gu, ' ')
    .trim();
}

/**
 * Every customer identity seen in the broker's private streams (ids, names,
 * token hashes, bank accounts), to find any of them where vendors can read:
 * a whole field equal to one, or one inside free text (as whole words).
 */
export class IdentityIndex {
  private readonly values = new Map<string, { kind: IdentityKind; customerId: string }>();

  get size(): number {
    return this.values.size;
  }

  add(customerId: string, kind: IdentityKind, value: string): void {
    const key = normalise(value);
    if (key.length >= MIN_LENGTH && !this.values.has(key)) this.values.set(key, { kind, customerId });
  }

  /** The first identity found anywhere in `value` (objects and arrays walked), or undefined. */
  find(value: unknown, path: string): IdentityHit | undefined {
    if (this.values.size === 0) return undefined;
    if (typeof value === 'string') return this.findInText(value, path);
    if (typeof value !== 'object' || value === null) return undefined;
    for (const key in value) {
      if (CLOSED_FIELDS.has(key)) continue;
      const hit = this.find((value as Record<string, unknown>)[key], path ? `${path}.${key}` : key);
      if (hit) return hit;
    }
    return undefined;
  }

  private findInText(text: string, path: string): IdentityHit | undefined {
    // Most values in chain events are ids, hex words and timestamps: one token, nothing to normalise.
    if (ONE_TOKEN.test(text)) {
      const exact = this.values.get(text.toLowerCase());
      return exact ? { ...exact, path } : undefined;
    }
    const whole = normalise(text);
    const exact = this.values.get(whole);
    if (exact) return { ...exact, path };
    const words = whole.split(' ');
    if (words.length === 1) return undefined;
    for (let size = 1; size <= Math.min(MAX_WORDS, words.length - 1); size++) {
      for (let start = 0; start + size <= words.length; start++) {
        const found = this.values.get(words.slice(start, start + size).join(' '));
        if (found) return { ...found, path };
      }
    }
    return undefined;
  }
}
