// Throws arbitrary JSON at every route an app documents (its OpenAPI document at /docs-json) and
// checks the answer: never a 5xx, a problem+json body with a stable code on every refusal, and
// no event appended by a refused request. For the apps' own hostile-input tests.
import fc from 'fast-check';

const STABLE_CODE = /^[A-Z][A-Z0-9_]*(\.[A-Z0-9_]+)+$/;
const PROBLEM = 'application/problem+json';

interface OpenApiOperation {
  parameters?: { name: string; in: string }[];
  requestBody?: { content?: Record<string, { schema?: { $ref?: string } }> };
}

interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, { properties?: Record<string, unknown> }> };
}

export interface FuzzTarget {
  readonly baseUrl: string;
  /** Headers for a call (credentials, a fresh Idempotency-Key), so input reaches validation. */
  headers(method: string, path: string): Record<string, string>;
  /** How many events the store holds now. */
  eventCount(): Promise<number>;
  /** Routes left out (`GET /metrics`: nothing to fuzz). */
  skip?(method: string, path: string): boolean;
}

export interface FuzzAnswer {
  readonly method: string;
  readonly url: string;
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

/**
 * A fuzz test's time budget. It sends hundreds of requests, some with bodies of tens of kilobytes
 * or thousands of nesting levels: about 16 s on a quiet 2-core machine, and well over the unit
 * tier's 20 s when the machine is shared (seen: 71 s in CI beside other builds). What it checks is
 * the answers, never the time they take.
 */
export const FUZZ_TIMEOUT_MS = 180_000;

/** One request that broke a rule, for the failure message. */
export class FuzzViolation extends Error {}

/** Arbitrary JSON text: any shape and type, unicode, deep nesting, large strings, broken syntax. */
export function hostileJson(fields: readonly string[] = []): fc.Arbitrary<string> {
  const value = fc.jsonValue({ maxDepth: 4, stringUnit: 'binary' });
  const known =
    fields.length === 0
      ? []
      : [
          fc
            .record(Object.fromEntries(fields.map((f) => [f, value])), { requiredKeys: [] })
            .map((v) => JSON.stringify(v)),
        ];
  return fc.oneof(
    value.map((v) => JSON.stringify(v)),
    ...known,
    fc.integer({ min: 60, max: 5_000 }).map((n) => `${'['.repeat(n)}${']'.repeat(n)}`),
    fc.integer({ min: 60, max: 3_000 }).map((n) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`),
    fc.integer({ min: 1_000, max: 80_000 }).map((n) => JSON.stringify({ x: 'é'.repeat(n) })),
    fc.constantFrom('', 'null', '[]', '"x"', '0', '{', '{"a":}', '\u0000', '{"__proto__":{"admin":true}}'),
  );
}

function fuzzPathSegment(): fc.Arbitrary<string> {
  return fc.oneof(
    fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }).map(encodeURIComponent),
    fc.integer({ min: 65, max: 600 }).map((n) => 'a'.repeat(n)),
    fc.constantFrom('%', '%E0%A4%A', '..', '%2F', '0000-00-00', '2026-02-30'),
  );
}

/** The operations of the document, each with its path and query parameters and body fields. */
function operations(doc: OpenApiDocument) {
  const out: { method: string; path: string; query: string[]; fields: string[]; hasBody: boolean }[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const query = (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
      const ref = op.requestBody?.content?.['application/json']?.schema?.$ref;
      const schema = ref ? doc.components?.schemas?.[ref.split('/').at(-1)!] : undefined;
      const fields = Object.keys(schema?.properties ?? {});
      const upper = method.toUpperCase();
      out.push({ method: upper, path, query, fields, hasBody: upper !== 'GET' });
    }
  }
  return out;
}

async function send(target: FuzzTarget, method: string, url: string, path: string, body?: string) {
  const response = await fetch(target.baseUrl + url, {
    method,
    headers: {
      ...target.headers(method, path),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body,
  });
  const text = await response.text();
  return {
    method,
    url,
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    body: text,
  };
}

function check(answer: FuzzAnswer, eventsBefore: number, eventsAfter: number): void {
  const where = `${answer.method} ${answer.url.slice(0, 120)} → ${answer.status} ${answer.body.slice(0, 200)}`;
  if (answer.status >= 500) throw new FuzzViolation(`a 5xx: ${where}`);
  if (answer.status < 400) return;
  if (!answer.contentType.startsWith(PROBLEM)) throw new FuzzViolation(`not problem+json: ${where}`);
  const code = (JSON.parse(answer.body) as { code?: unknown }).code;
  if (typeof code !== 'string' || !STABLE_CODE.test(code))
    throw new FuzzViolation(`no stable code: ${where}`);
  if (eventsAfter !== eventsBefore) throw new FuzzViolation(`a refusal appended events: ${where}`);
}

/**
 * Fuzzes every documented operation with `runs` requests: bodies of hostile JSON for POST, PUT
 * and DELETE, hostile values for every query parameter of a GET, hostile path parameters.
 * Returns how many requests were sent.
 */
export async function fuzzRoutes(target: FuzzTarget, runs: number): Promise<number> {
  const doc = (await (await fetch(`${target.baseUrl}/docs-json`)).json()) as OpenApiDocument;
  let sent = 0;
  for (const op of operations(doc)) {
    if (target.skip?.(op.method, op.path)) continue;
    const params = [...op.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
    if (!op.hasBody && op.query.length === 0 && params.length === 0) continue;
    const input = fc.record({
      params: fc.tuple(...params.map(() => fc.oneof(fc.constant('x_1'), fuzzPathSegment()))),
      query: fc.tuple(...op.query.map(() => fc.string({ unit: 'binary', maxLength: 300 }))),
      body: hostileJson(op.fields),
    });
    await fc.assert(
      fc.asyncProperty(input, async ({ params: values, query, body }) => {
        let url = op.path;
        params.forEach((name, i) => (url = url.replace(`{${name}}`, values[i]!)));
        if (op.query.length > 0) {
          url += `?${op.query.map((name, i) => `${name}=${encodeURIComponent(query[i]!)}`).join('&')}`;
        }
        const before = await target.eventCount();
        const answer = await send(target, op.method, url, op.path, op.hasBody ? body : undefined);
        sent += 1;
        check(answer, before, await target.eventCount());
      }),
      { numRuns: runs },
    );
  }
  return sent;
}
