// Throws hostile payment headers (`X-NetPay-Payment` and friends) at every paid route an app
// documents and checks each answer: a 4xx problem+json with a stable code, never a 5xx, and no
// event appended. For the vendors' hostile-input tests (`fuzzRoutes` covers bodies and params).
import { request } from 'node:http';
import fc from 'fast-check';
import { FuzzViolation } from './fuzz-routes.js';

const STABLE_CODE = /^[A-Z][A-Z0-9_]*(\.[A-Z0-9_]+)+$/;
const PROBLEM = 'application/problem+json';

/** The headers a payer sends to a paid route (see the vendor's `PAYMENT_HEADERS`). */
export const PAID_HEADERS = [
  'x-netpay-payment',
  'x-netpay-touchstone',
  'x-netpay-checkout',
  'idempotency-key',
  'x-netpay-deadline',
] as const;
export type PaidHeader = (typeof PAID_HEADERS)[number];

export interface PaidHeaderTarget {
  readonly baseUrl: string;
  /** A value of a path parameter that names content on sale (so the payment is looked at). */
  pathValue(path: string, name: string): string;
  /** A real chain (id and its touchstone, as JSON) so that some payments get past parsing. */
  readonly chain: { readonly chainId: string; readonly touchstone: Record<string, unknown> };
  /** How many events the store holds now. */
  eventCount(): Promise<number>;
}

interface OpenApiDocument {
  paths: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>>;
}

/** Characters Node lets a client put in a header value: tab, printable ASCII, and 0x80–0xFF. */
const headerChar = fc.oneof(
  fc.integer({ min: 0x20, max: 0x7e }),
  fc.integer({ min: 0x80, max: 0xff }),
  fc.constant(0x09),
);
const headerText = (maxLength: number): fc.Arbitrary<string> =>
  fc.array(headerChar, { maxLength }).map((codes) => String.fromCharCode(...codes));
/** Unicode as a client would put it on the wire: its UTF-8 bytes (shown as latin1 to Node). */
const utf8Text = fc
  .string({ unit: 'grapheme', maxLength: 80 })
  .map((s) => Buffer.from(s, 'utf8').toString('latin1'));
const hex = (bytes: number): fc.Arbitrary<string> =>
  fc.uint8Array({ minLength: bytes, maxLength: bytes }).map((b) => Buffer.from(b).toString('hex'));
const base64Json = (value: fc.Arbitrary<unknown>): fc.Arbitrary<string> =>
  value.map((v) => Buffer.from(JSON.stringify(v) ?? 'null', 'utf8').toString('base64url'));

/** Sizes up to past the server's header limit (16 KiB in Node): 431 must be problem+json too. */
const oversized = fc.integer({ min: 1_000, max: 20_000 }).map((n) => 'a'.repeat(n));

function paymentValue(chainId: string): fc.Arbitrary<string> {
  const id = fc.oneof(
    fc.constant(chainId),
    fc.stringMatching(/^[A-Za-z0-9_]{1,70}$/),
    headerText(20),
    utf8Text,
  );
  const position = fc.oneof(
    fc.integer({ min: 1, max: 60 }).map(String),
    fc.constantFrom(
      '0',
      '-1',
      '01',
      '1e3',
      ' 1',
      '1.5',
      '9007199254740991',
      '9007199254740993',
      '9999999999999999',
      '99999999999999999999',
    ),
    headerText(12),
  );
  const payword = fc.oneof(
    hex(32),
    hex(16),
    hex(20),
    hex(32).map((h) => h.toUpperCase()),
    hex(32).map((h) => h.slice(1)),
    fc.constant(''),
    headerText(80),
  );
  const separator = fc.constantFrom('.', '.', '.', '..', ':', ' . ', '');
  return fc.oneof(
    // Well formed for the real chain: gets past parsing to the proof (forged, skipped, replayed).
    {
      arbitrary: fc
        .tuple(fc.integer({ min: 1, max: 60 }), hex(32))
        .map(([at, word]) => `${chainId}.${at}.${word}`),
      weight: 4,
    },
    fc.tuple(id, separator, position, separator, payword).map((parts) => parts.join('')),
    fc.tuple(id, position, payword, payword).map((parts) => parts.join('.')),
    headerText(200),
    utf8Text,
    oversized,
    fc.integer({ min: 1_000, max: 15_000 }).map((n) => `${chainId}.${'9'.repeat(n)}.${'ab'.repeat(32)}`),
  );
}

function touchstoneValue(touchstone: Record<string, unknown>): fc.Arbitrary<string> {
  const json = fc.jsonValue({ maxDepth: 4, stringUnit: 'binary' });
  const field = fc.constantFrom(...Object.keys(touchstone), '__proto__', 'constructor', 'extra');
  return fc.oneof(
    { arbitrary: base64Json(fc.constant(touchstone)), weight: 3 },
    base64Json(json),
    // A real touchstone with a field changed to anything: the signature must catch it, cleanly.
    base64Json(fc.tuple(field, json).map(([key, value]) => ({ ...touchstone, [key]: value }))),
    base64Json(fc.constant({ ...touchstone, length: 1e300, coinValue: -1 })),
    fc
      .integer({ min: 100, max: 6_000 })
      .map((n) => Buffer.from(`${'['.repeat(n)}${']'.repeat(n)}`).toString('base64url')),
    fc
      .integer({ min: 100, max: 2_000 })
      .map((n) => Buffer.from(`${'{"a":'.repeat(n)}1${'}'.repeat(n)}`).toString('base64url')),
    fc.constant(Buffer.from(JSON.stringify(touchstone)).toString('base64')), // + and / and =
    headerText(300),
    utf8Text,
    oversized,
  );
}

function deadlineValue(): fc.Arbitrary<string> {
  return fc.oneof(
    // Mostly a deadline a real wallet sends (an hour ahead), so the other headers are reached.
    { arbitrary: fc.constant(new Date(Date.now() + 3_600_000).toISOString()), weight: 6 },
    fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
    fc.constantFrom(
      '2026-02-30T00:00:00Z',
      '0000-00-00T00:00:00Z',
      '+275760-09-13T00:00:00.000Z',
      '9999-12-31T23:59:59.999999999+14:00',
      '2026-06-01T12:00:00.000-99:99',
      '1',
      'now',
      'Infinity',
    ),
    headerText(60),
    utf8Text,
    oversized,
  );
}

function hostileHeaders(chain: PaidHeaderTarget['chain']): fc.Arbitrary<Partial<Record<PaidHeader, string>>> {
  return fc.record(
    {
      'x-netpay-payment': paymentValue(chain.chainId),
      'x-netpay-touchstone': touchstoneValue(chain.touchstone),
      'x-netpay-checkout': fc.oneof(
        fc.uuid().map((u) => `nct.${u}`),
        fc.stringMatching(/^nct\.[A-Za-z0-9._-]{0,200}$/),
        headerText(200),
        utf8Text,
        oversized,
      ),
      'idempotency-key': fc.oneof(fc.uuid(), headerText(300), utf8Text, oversized),
      'x-netpay-deadline': deadlineValue(),
    },
    { requiredKeys: [] },
  );
}

interface Answer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

/** Sends raw header values (node:http, not fetch, which refuses bytes above 0x7F in some forms). */
function get(url: string, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          contentType: String(res.headers['content-type'] ?? ''),
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

function check(url: string, sent: Record<string, string>, answer: Answer, before: number, after: number) {
  const shown = Object.entries(sent)
    .map(([k, v]) => `${k}: ${JSON.stringify(v.slice(0, 80))}${v.length > 80 ? `…(${v.length})` : ''}`)
    .join('; ');
  const where = `GET ${url} [${shown}] → ${answer.status} ${answer.body.slice(0, 200)}`;
  if (answer.status >= 500) throw new FuzzViolation(`a 5xx: ${where}`);
  if (answer.status < 400) throw new FuzzViolation(`hostile headers were accepted: ${where}`);
  if (!answer.contentType.startsWith(PROBLEM)) throw new FuzzViolation(`not problem+json: ${where}`);
  let code: unknown;
  try {
    code = (JSON.parse(answer.body) as { code?: unknown }).code;
  } catch {
    throw new FuzzViolation(`body is not JSON: ${where}`);
  }
  if (typeof code !== 'string' || !STABLE_CODE.test(code))
    throw new FuzzViolation(`no stable code: ${where}`);
  if (after !== before) throw new FuzzViolation(`a refusal appended events: ${where}`);
}

/** The documented paid routes: those taking `X-NetPay-Payment`. */
async function paidRoutes(baseUrl: string): Promise<string[]> {
  const doc = (await (await fetch(`${baseUrl}/docs-json`)).json()) as OpenApiDocument;
  return Object.entries(doc.paths)
    .filter(([, methods]) =>
      (methods.get?.parameters ?? []).some((p) => p.in === 'header' && p.name === 'x-netpay-payment'),
    )
    .map(([path]) => path);
}

/**
 * `runs` requests of hostile payment headers on every paid route. Returns the routes fuzzed and
 * how many answers each code got (for the test's own assertions).
 */
export async function fuzzPaidHeaders(
  target: PaidHeaderTarget,
  runs: number,
): Promise<{ routes: string[]; codes: Map<string, number> }> {
  const routes = await paidRoutes(target.baseUrl);
  const codes = new Map<string, number>();
  for (const path of routes) {
    const url = path.replace(/\{([^}]+)\}/g, (_, name: string) => target.pathValue(path, name));
    await fc.assert(
      fc.asyncProperty(hostileHeaders(target.chain), async (headers) => {
        const sent = Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== undefined));
        const before = await target.eventCount();
        const answer = await get(target.baseUrl + url, sent);
        check(url, sent, answer, before, await target.eventCount());
        const code = (JSON.parse(answer.body) as { code: string }).code;
        codes.set(code, (codes.get(code) ?? 0) + 1);
      }),
      { numRuns: runs },
    );
  }
  return { routes, codes };
}
