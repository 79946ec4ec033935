import { applyDecorators } from '@nestjs/common';
import { ApiResponse, type ReferenceObject, type SchemaObject } from '@nestjs/swagger';

/**
 * Named answer schemas. The answers are TypeScript interfaces (no classes for `@ApiProperty`), so
 * each is described once as a JSON schema next to the code that builds it; `apiSchema` answers a
 * `$ref` for `@ApiOkResponse({ schema })` and `completeApiDocument` copies every named schema a
 * document refers to (and those they refer to) into its `components.schemas`.
 */
export type ApiSchema = SchemaObject | ReferenceObject;

const named = new Map<string, SchemaObject>();

/** Registers `schema` under `name` (once: a second, different one is a programming error). */
export function apiSchema(name: string, schema: SchemaObject): ReferenceObject {
  const known = named.get(name);
  if (known && JSON.stringify(known) !== JSON.stringify(schema))
    throw new Error(`apiSchema: two different schemas named ${name}`);
  named.set(name, schema);
  return { $ref: `#/components/schemas/${name}` };
}

/** The schemas registered with `apiSchema`, by name. */
export function namedApiSchemas(): ReadonlyMap<string, SchemaObject> {
  return named;
}

// Small builders, so an answer's schema reads like its interface.
export const str = (extra: SchemaObject = {}): SchemaObject => ({ type: 'string', ...extra });
export const int = (extra: SchemaObject = {}): SchemaObject => ({ type: 'integer', ...extra });
export const bool = (): SchemaObject => ({ type: 'boolean' });
export const isoTime = (): SchemaObject => ({ type: 'string', format: 'date-time' });
export const arrayOf = (items: ApiSchema, extra: SchemaObject = {}): SchemaObject => ({
  type: 'array',
  items,
  ...extra,
});
export const oneOfValues = (...values: readonly string[]): SchemaObject => ({
  type: 'string',
  enum: [...values],
});
/** An object: `required` properties, then `optional` ones; no others unless `open`. */
export function object(
  required: Record<string, ApiSchema>,
  optional: Record<string, ApiSchema> = {},
  open = false,
): SchemaObject {
  const names = Object.keys(required);
  return {
    type: 'object',
    // OpenAPI 3.0 refuses an empty `required` list.
    ...(names.length > 0 ? { required: names } : {}),
    properties: { ...required, ...optional },
    additionalProperties: open,
  };
}

/**
 * One documented response per status of `codes` (status → the stable codes a route answers with
 * it); `completeApiDocument` turns the codes named in each description into the problem's `code` enum.
 */
export function ApiRefusalCodes(codes: Readonly<Record<number, readonly string[]>>): MethodDecorator {
  return applyDecorators(
    ...Object.entries(codes).map(([status, list]) =>
      ApiResponse({ status: Number(status), description: [...new Set(list)].sort().join(', ') }),
    ),
  );
}
