import type { OpenAPIObject } from '@nestjs/swagger';
import { getMetadataStorage } from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata.js';
import { namedApiSchemas } from './api-schema.js';
import type { ProblemCodes } from './guard-problems.js';
import { MAX_JSON_DEPTH } from './json-body.js';
import { PLATFORM_ERROR } from '../errors/netpay-error.js';
import {
  IDEMPOTENCY_KEY_FORMAT,
  IDEMPOTENT_HEADER_DESCRIPTION,
} from '../idempotency/idempotent.decorator.js';

/**
 * Completes the document `@nestjs/swagger` builds from the decorators. The build is `tsc`, so the
 * swagger CLI plugin never runs and the document knows nothing of the class-validator rules; rather
 * than repeat each rule in an `@ApiProperty`, the rules the validation pipe enforces are read from
 * class-validator's own metadata and written into the schemas (integer, pattern, bounds, enums,
 * lengths), so the document cannot disagree with what is accepted. It also adds the problem+json
 * answers every route can give, with their stable codes, and keeps one `Idempotency-Key` parameter.
 */

type Json = Record<string, unknown>;
type Schema = {
  type?: string;
  format?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  enum?: unknown[];
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  $ref?: string;
  allOf?: Schema[];
  description?: string;
  [key: string]: unknown;
};
interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  description?: string;
  schema?: Schema;
}
interface Response {
  description: string;
  content?: Record<string, { schema?: Schema }>;
  headers?: Json;
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: unknown;
  responses: Record<string, Response>;
  security?: Record<string, string[]>[];
  [key: string]: unknown;
}

export const PROBLEM_DETAILS_SCHEMA = 'ProblemDetails';
const PROBLEM_JSON = 'application/problem+json';
const CODE = /\b[A-Z][A-Z0-9_]*\.[A-Z][A-Z0-9_.]*[A-Z0-9_]\b/g;

/** RFC 9457 problem details with the stable `code` every NetPay error carries. */
const PROBLEM_DETAILS: Schema = {
  type: 'object',
  description: 'RFC 9457 problem details (`application/problem+json`) with a stable `code`.',
  required: ['type', 'title', 'status', 'code', 'detail'],
  properties: {
    type: {
      type: 'string',
      description: '`urn:netpay:error:<code>`',
      example: 'urn:netpay:error:REQUEST.INVALID',
    },
    title: { type: 'string', description: 'the HTTP reason phrase', example: 'Bad Request' },
    status: { type: 'integer', minimum: 400, maximum: 599, example: 400 },
    code: {
      type: 'string',
      pattern: '^[A-Z][A-Z0-9_]*(\\.[A-Z0-9_]+)*$',
      description: 'stable error code',
      example: 'REQUEST.INVALID',
    },
    detail: { type: 'string', description: 'what went wrong, for people' },
    instance: { type: 'string', description: 'the request path' },
    errors: {
      type: 'array',
      description: 'REQUEST.INVALID: each invalid field and why',
      items: {
        type: 'object',
        required: ['field', 'messages'],
        properties: { field: { type: 'string' }, messages: { type: 'array', items: { type: 'string' } } },
      },
    },
    chainId: { type: 'string', description: 'the chain the refusal is about' },
    recorded: {
      type: 'boolean',
      enum: [false],
      description:
        'a refused spend or debit (4xx): false — this request recorded nothing. A wallet releases the ' +
        "paywords it reserved for the purchase only on this answer, once the purchase's deadline has passed",
    },
    index: {
      type: 'integer',
      minimum: 1,
      description:
        "with `recorded`: the chain's next unspent position I as the vendor read it for this request " +
        '(a wallet releases nothing when it is past the purchase’s first payword)',
    },
    outcome: {
      type: 'string',
      enum: ['unknown'],
      description:
        '503 EVENT_STORE.UNAVAILABLE of a spend: it may have been recorded; repeat the same request',
    },
  },
  additionalProperties: true,
};

const IDEMPOTENCY_CODES = {
  400: ['IDEMPOTENCY.KEY_REQUIRED', 'IDEMPOTENCY.KEY_INVALID'],
  409: ['IDEMPOTENCY.IN_PROGRESS'],
  422: ['IDEMPOTENCY.KEY_REUSED'],
  503: ['IDEMPOTENCY.UNAVAILABLE'],
} as const;

/** Methods whose body Fastify reads (its `bodywith` methods): a body may come with any of them. */
const BODY_METHODS: ReadonlySet<string> = new Set(['post', 'put', 'patch', 'delete']);

/**
 * What the platform's HTTP layer answers by itself, on every operation, before any guard or
 * handler runs: Node's HTTP parser and request timer (`answerClientError`), the router
 * (`answerFrameworkError`: a path parameter past `maxParamLength`), the Host check
 * (`refuseMissingHost`) and the JSON body parser (`useJsonBodyParser`, Fastify's content-type
 * parsers and body limit). `on`: `body` for methods that carry a body (whether or not the route
 * reads one), `path` for operations with path parameters, `all` for every operation.
 */
export const PLATFORM_REFUSALS: readonly {
  readonly status: number;
  readonly codes: readonly string[];
  readonly on: 'all' | 'body' | 'path';
  readonly description: string;
}[] = [
  {
    status: 400,
    codes: [PLATFORM_ERROR.REQUEST_INVALID],
    on: 'all',
    description:
      'The request is malformed (REQUEST.INVALID lists each invalid field; an HTTP/1.1 request without Host; a bad URL).',
  },
  {
    status: 400,
    codes: [PLATFORM_ERROR.REQUEST_TOO_DEEP],
    on: 'body',
    description: `A JSON body nested deeper than ${MAX_JSON_DEPTH} levels (or a body that is not JSON: REQUEST.INVALID).`,
  },
  {
    status: 408,
    codes: ['REQUEST.TIMEOUT'],
    on: 'all',
    description:
      'The request (headers and body) did not arrive within HTTP_REQUEST_TIMEOUT; the connection closes.',
  },
  {
    status: 413,
    codes: [PLATFORM_ERROR.REQUEST_TOO_LARGE],
    on: 'body',
    description: 'The body is larger than HTTP_BODY_LIMIT.',
  },
  {
    status: 414,
    codes: ['REQUEST.URI_TOO_LONG'],
    on: 'path',
    description: 'A path parameter is longer than the router takes.',
  },
  {
    status: 415,
    codes: ['REQUEST.UNSUPPORTED_MEDIA_TYPE'],
    on: 'body',
    description: 'The body is not JSON, is compressed (Content-Encoding), or is not in UTF-8.',
  },
  {
    status: 431,
    codes: ['REQUEST.HEADERS_TOO_LARGE'],
    on: 'all',
    description: 'The request headers are too large.',
  },
];

/** Fill in `document` (in place) and answer it. */
export function completeApiDocument(
  document: OpenAPIObject,
  guardProblems: ReadonlyMap<string, readonly ProblemCodes[]> = new Map(),
): OpenAPIObject {
  const schemas = (document.components ??= {}).schemas ?? {};
  document.components.schemas = schemas;
  const rules = validationRulesByClassName();
  for (const [name, schema] of Object.entries(schemas)) {
    const classRules = rules.get(name);
    if (classRules) applyRules(schema as Schema, classRules);
  }
  schemas[PROBLEM_DETAILS_SCHEMA] = PROBLEM_DETAILS;
  addNamedSchemas(document, schemas);
  const parameterRules = parameterRulesByName(rules);
  // Our bearer tokens are opaque random strings; the builder's default format says JWT.
  for (const scheme of Object.values(document.components.securitySchemes ?? {}) as unknown as Json[])
    if (scheme.bearerFormat === 'JWT') delete scheme.bearerFormat;
  for (const pathItem of Object.values(document.paths)) {
    for (const [method, op] of Object.entries(pathItem as Record<string, Operation>)) {
      if (!['get', 'put', 'post', 'delete', 'patch'].includes(method)) continue;
      completeOperation(op, method, guardProblems.get(String(op.operationId)) ?? [], parameterRules);
    }
  }
  return document;
}

/** The `apiSchema` schemas the document refers to, and those they refer to, into `components.schemas`. */
function addNamedSchemas(document: OpenAPIObject, schemas: Record<string, unknown>): void {
  const named = namedApiSchemas();
  const pending = [document.paths as unknown];
  while (pending.length > 0) {
    const text = JSON.stringify(pending.pop());
    for (const [, name] of text.matchAll(/"#\/components\/schemas\/([^"]+)"/g)) {
      const schema = named.get(name!);
      if (!schema || schemas[name!]) continue;
      schemas[name!] = schema;
      pending.push(schema);
    }
  }
}

/**
 * Path and query parameters come from `@Param() dto` / `@Query() dto` classes, whose names the
 * document loses: a parameter gets the validation rules of the property of that name, when every
 * validated class that has such a property agrees on them (`chainId`, `vendorId`, `day` …).
 */
function parameterRulesByName(
  rules: Map<string, Map<string, ValidationMetadata[]>>,
): Map<string, ValidationMetadata[]> {
  const byName = new Map<string, { key: string; rules: ValidationMetadata[] } | null>();
  const keyOf = (list: ValidationMetadata[]) =>
    JSON.stringify(
      list
        .filter((m) => RULES.has(m.name ?? ''))
        .map((m) => [m.name, (m.constraints ?? []).map((c: unknown) => (c instanceof RegExp ? c.source : c))])
        .sort(),
    );
  for (const classRules of rules.values())
    for (const [property, list] of classRules) {
      const key = keyOf(list);
      if (key === '[]') continue;
      const seen = byName.get(property);
      if (seen === undefined) byName.set(property, { key, rules: list });
      else if (seen && seen.key !== key) byName.set(property, null);
    }
  return new Map(
    [...byName].flatMap(([name, v]) => (v ? [[name, v.rules] as [string, ValidationMetadata[]]] : [])),
  );
}

const RULES = new Set(['isInt', 'matches', 'min', 'max', 'isIn', 'isLength', 'minLength', 'maxLength']);

function completeOperation(
  op: Operation,
  method: string,
  guards: readonly ProblemCodes[],
  parameterRules: ReadonlyMap<string, ValidationMetadata[]> = new Map(),
): void {
  // A header a handler reads with `@Headers()` and also documents with `@ApiHeader()`: the documented one.
  const params = (op.parameters ?? []).sort(
    (a, b) => Number(b.description !== undefined) - Number(a.description !== undefined),
  );
  // The platform's `@Idempotent()` (its interceptor's refusals); a route checking a key itself names its own.
  const idempotent = params.some(
    (p) =>
      p.in === 'header' && p.name === 'Idempotency-Key' && p.description === IDEMPOTENT_HEADER_DESCRIPTION,
  );
  // One Idempotency-Key: `@Idempotent()` declares it, `@Headers('idempotency-key')` adds it again.
  const seen = new Set<string>();
  op.parameters = params
    // A handler reading `@Headers('authorization')` itself: the security scheme documents it (OpenAPI ignores it as a parameter).
    .filter((p) => !(p.in === 'header' && p.name.toLowerCase() === 'authorization'))
    .sort((a, b) => Number(b.name === 'Idempotency-Key') - Number(a.name === 'Idempotency-Key'))
    .filter((p) => {
      const key = `${p.in}:${p.in === 'header' ? p.name.toLowerCase() : p.name}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  for (const p of op.parameters) {
    if ((p.in === 'path' || p.in === 'query') && p.schema && !p.schema.pattern)
      for (const m of parameterRules.get(p.name) ?? []) applyRule(p.schema, m);
    // `@Headers('x-…')` marks a header required; only Idempotency-Key is (the others are optional).
    if (p.in === 'header' && p.required && p.name.toLowerCase() !== 'idempotency-key' && !p.description)
      p.required = false;
    if (p.in === 'header' && p.name.toLowerCase() === 'idempotency-key') {
      p.name = 'Idempotency-Key';
      p.schema = { type: 'string', pattern: IDEMPOTENCY_KEY_FORMAT.source, minLength: 8, maxLength: 255 };
    }
  }
  const add = (status: number, codes: readonly string[], description: string): void => {
    const key = String(status);
    const response = (op.responses[key] ??= { description });
    response.description ||= description;
    const known = new Set([...(response.description.match(CODE) ?? []), ...codes]);
    const existing = response.content?.[PROBLEM_JSON]?.schema?.allOf?.[1]?.properties?.code?.enum;
    for (const c of (existing as string[] | undefined) ?? []) known.add(c);
    // A route that answers a report of its own with an error status (readiness) keeps it beside the problem.
    const own = Object.entries(response.content ?? {}).filter(([type]) => type !== PROBLEM_JSON);
    response.content = {
      ...Object.fromEntries(own),
      [PROBLEM_JSON]: { schema: problemSchema([...known].sort()) },
    };
  };
  // Declared refusals first (their codes are named in the description), then what every route can answer.
  for (const [key, response] of Object.entries(op.responses)) {
    const status = Number(key);
    if (status >= 400) add(status, [], response.description);
  }
  // What the HTTP layer answers itself, before any handler runs (see `PLATFORM_REFUSALS`).
  const hasPathParameters = (op.parameters ?? []).some((p) => p.in === 'path');
  for (const refusal of PLATFORM_REFUSALS) {
    if (refusal.on === 'body' && !BODY_METHODS.has(method)) continue;
    if (refusal.on === 'path' && !hasPathParameters) continue;
    add(refusal.status, refusal.codes, refusal.description);
  }
  for (const problems of guards)
    for (const [status, codes] of Object.entries(problems))
      add(Number(status), codes, 'Refused by the route’s guard.');
  if (idempotent) {
    add(400, IDEMPOTENCY_CODES[400], 'Idempotency-Key missing or malformed.');
    add(409, IDEMPOTENCY_CODES[409], 'A request with this Idempotency-Key is still running; retry.');
    add(422, IDEMPOTENCY_CODES[422], 'This Idempotency-Key was used with another body.');
    add(503, IDEMPOTENCY_CODES[503], 'A dependency is away; nothing was changed, retry later.');
  }
  add(
    503,
    ['EVENT_STORE.UNAVAILABLE', 'REDIS.UNAVAILABLE', 'SERVICE.UNAVAILABLE'],
    'A dependency is away; retry later.',
  );
  add(500, ['INTERNAL'], 'An unexpected error (logged; no internals are shown).');
  op.responses = Object.fromEntries(Object.entries(op.responses).sort(([a], [b]) => a.localeCompare(b)));
}

function problemSchema(codes: string[]): Schema {
  return codes.length === 0
    ? { $ref: `#/components/schemas/${PROBLEM_DETAILS_SCHEMA}` }
    : {
        allOf: [
          { $ref: `#/components/schemas/${PROBLEM_DETAILS_SCHEMA}` },
          { type: 'object', properties: { code: { type: 'string', enum: codes } } },
        ],
      };
}

/** class-validator's rules of every class it knows (with inherited ones), by class name and property. */
function validationRulesByClassName(): Map<string, Map<string, ValidationMetadata[]>> {
  const storage = getMetadataStorage();
  // The registry of validated classes has no public listing; its targets are the map's keys.
  const targets = (storage as unknown as { validationMetadatas: Map<new () => object, unknown> })
    .validationMetadatas;
  const out = new Map<string, Map<string, ValidationMetadata[]>>();
  for (const target of targets.keys()) {
    const byProperty = new Map<string, ValidationMetadata[]>();
    for (const m of storage.getTargetValidationMetadatas(target, '', true, false)) {
      const list = byProperty.get(m.propertyName) ?? [];
      list.push(m);
      byProperty.set(m.propertyName, list);
    }
    out.set(target.name, byProperty);
  }
  return out;
}

function applyRules(schema: Schema, rules: Map<string, ValidationMetadata[]>): void {
  for (const [property, metadatas] of rules) {
    const prop = schema.properties?.[property];
    if (!prop) continue;
    for (const m of metadatas) applyRule(prop, m);
  }
}

function applyRule(prop: Schema, m: ValidationMetadata): void {
  const target = m.each && prop.type === 'array' ? (prop.items ??= { type: 'string' }) : prop;
  const c = m.constraints ?? [];
  switch (m.name) {
    case 'isInt':
      target.type = 'integer';
      break;
    case 'matches': {
      const re = c[0] instanceof RegExp ? c[0] : new RegExp(String(c[0]), c[1] as string | undefined);
      target.pattern = re.source;
      break;
    }
    case 'min':
      target.minimum = c[0] as number;
      break;
    case 'max':
      target.maximum = c[0] as number;
      break;
    case 'isIn':
      target.enum = [...(c[0] as unknown[])];
      break;
    case 'isLength':
      target.minLength = c[0] as number;
      if (typeof c[1] === 'number') target.maxLength = c[1];
      break;
    case 'minLength':
      target.minLength = c[0] as number;
      break;
    case 'maxLength':
      target.maxLength = c[0] as number;
      break;
    case 'arrayMinSize':
      prop.minItems = c[0] as number;
      break;
    case 'arrayMaxSize':
      prop.maxItems = c[0] as number;
      break;
    case 'arrayUnique':
      prop.uniqueItems = true;
      break;
    case 'isBoolean':
      target.type = 'boolean';
      break;
    case 'isPositive':
      target.minimum = Math.max(target.minimum ?? 1, 1);
      break;
  }
}
