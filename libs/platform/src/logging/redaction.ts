const REDACTED = '[redacted]';

/**
 * Field names seen, normalised: a log entry's keys come from a small set, so the first 1,000 are
 * kept and never evicted. A plain Map, not lru-cache: with an LRU here an access line cost 8.7–9.6
 * µs against 6.1 µs (200,000 lines, the same run), the recency bookkeeping of every key lookup.
 */
const normalised = new Map<string, string>();

/**
 * Field names whose values are secrets wherever they appear in a log entry (compared without
 * case, `-` and `_`): request headers, command bodies, configuration objects.
 */
const SECRET_FIELDS = new Set(
  [
    'authorization',
    'proxyauthorization',
    'cookie',
    'setcookie',
    'token',
    'checkouttoken',
    'admintoken',
    'accesstoken',
    'refreshtoken',
    'privatekey',
    'signingkey',
    'secret',
    'brokersecret',
    'password',
    'bankmandate',
    'mandate',
    'walletencryptionkey',
    // Headers and query fields (LOG_LEVEL=verbose logs them): the checkout credential a shop or an
    // operator's gateway sends (a checkout or subscriber token), a payment's paywords (value until
    // a vendor records them), and API keys however a client names them.
    'xnetpaycheckout',
    'xnetpaypayment',
    'subscribertoken',
    'key',
    'apikey',
    'xapikey',
  ].map(normalise),
);

/**
 * Shapes of NetPay's secrets inside free text (an error message quoting a header, a stack): bearer
 * credentials, customer tokens (`npc.`), checkout tokens (`nct.`), Mobile-NetPay subscriber tokens
 * (`nst1.`, which a gateway injects as the checkout credential) and PEM private keys.
 */
const SECRET_PATTERNS: readonly [RegExp, string][] = [
  [/\b(Bearer|Basic)\s+[^\s"',;]+/gi, `$1 ${REDACTED}`],
  [/\bnp[a-z]\.[A-Za-z0-9._~-]{8,}/g, REDACTED],
  [/\bnct\.[A-Za-z0-9_-]{8,}/g, REDACTED],
  [/\bnst\d+\.[A-Za-z0-9_-]{8,}/gi, REDACTED],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g, REDACTED],
];

/**
 * One cheap test for "could any pattern above match": the access line of every request goes
 * through `text` five or six times, and four global replaces per string were most of the
 * redaction's cost. A superset of the patterns (case-insensitive), so a miss means no match.
 */
const MIGHT_HOLD_SECRET = /\b(?:bearer|basic)\s|\bn(?:p[a-z]|ct|st\d+)\.|-----BEGIN/i;

/** Values shorter than this are not treated as secrets (they would blank common words). */
const SHORTEST_SECRET = 8;
const MAX_DEPTH = 6;

/** Removes secrets from what is about to be logged, by field name, by pattern and by value. */
export class Redactor {
  private readonly secrets = new Set<string>();

  constructor(secrets: Iterable<string | undefined> = []) {
    this.addSecrets(secrets);
  }

  addSecrets(values: Iterable<string | undefined>): void {
    for (const v of values) if (v && v.length >= SHORTEST_SECRET) this.secrets.add(v);
  }

  text(text: string): string {
    let out = text;
    if (MIGHT_HOLD_SECRET.test(text))
      for (const [pattern, replacement] of SECRET_PATTERNS) out = out.replace(pattern, replacement);
    for (const secret of this.secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    return out;
  }

  /** A copy of the entry with secret fields blanked and every string scrubbed. */
  fields(entry: Record<string, unknown>): Record<string, unknown> {
    return this.value(entry, 0) as Record<string, unknown>;
  }

  value(value: unknown, depth = 0): unknown {
    if (typeof value === 'string') return this.text(value);
    if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return value;
    if (value instanceof Error) {
      return { type: value.name, message: this.text(value.message), stack: this.text(value.stack ?? '') };
    }
    if (Array.isArray(value)) return value.map((v) => this.value(v, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      out[key] = SECRET_FIELDS.has(normalise(key)) && v !== undefined ? REDACTED : this.value(v, depth + 1);
    }
    return out;
  }
}

function normalise(name: string): string {
  let known = normalised.get(name);
  if (known === undefined) {
    known = name.toLowerCase().replace(/[-_]/g, '');
    if (normalised.size < 1_000) normalised.set(name, known);
  }
  return known;
}
