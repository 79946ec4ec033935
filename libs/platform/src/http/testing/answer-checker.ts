import type { OpenAPIObject } from '@nestjs/swagger';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import * as formatsModule from 'ajv-formats';
import type { FormatsPlugin } from 'ajv-formats';

// ajv-formats is CommonJS: its plugin is the module, `default` or `default.default` by loader.
const unwrap = <T>(m: unknown): T => {
  let v = m as { default?: unknown };
  while (typeof v !== 'function' && v?.default) v = v.default;
  return v as T;
};
const addFormats = unwrap<FormatsPlugin>(formatsModule);

/** One real answer: what a test sent and what came back. */
export interface SeenAnswer {
  readonly method: string;
  /** The path as requested (query string allowed). */
  readonly path: string;
  readonly status: number;
  readonly contentType: string | null;
  readonly body: string;
}

interface Operation {
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}

/**
 * Checks real answers against the OpenAPI document an app serves: finds the operation of each
 * answer by its path template, takes the schema documented for its status and media type, and
 * validates the body with Ajv. `unseen()` lists the operations no test answer reached yet.
 */
export class AnswerChecker {
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly seen = new Set<string>();
  private readonly routes: { method: string; template: string; match: RegExp; op: Operation }[];

  constructor(private readonly document: OpenAPIObject) {
    addFormats(this.ajv);
    this.routes = Object.entries(document.paths).flatMap(([template, item]) =>
      Object.entries(item as Record<string, Operation>).map(([method, op]) => ({
        method: method.toUpperCase(),
        template,
        // `{param}` matches one segment; literal segments win over templated ones (sorted below).
        match: new RegExp(
          `^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`,
        ),
        op,
      })),
    );
    this.routes.sort(
      (a, b) => (a.template.match(/\{/g)?.length ?? 0) - (b.template.match(/\{/g)?.length ?? 0),
    );
  }

  /** Problems of one answer (empty: it is what the document says). */
  check(answer: SeenAnswer): string[] {
    const path = answer.path.split('?')[0]!;
    const route = this.routes.find((r) => r.method === answer.method && r.match.test(path));
    if (!route) return [`${answer.method} ${path}: no such operation in the document`];
    const name = `${route.method} ${route.template}`;
    const response = route.op.responses?.[String(answer.status)];
    if (!response) return [`${name}: status ${answer.status} is not documented`];
    this.seen.add(`${name} ${answer.status}`);
    const type = (answer.contentType ?? '').split(';')[0]!.trim();
    const media = response.content?.[type];
    if (!media) return [`${name} ${answer.status}: content type ${type || '(none)'} is not documented`];
    if (!type.endsWith('json')) return [];
    const key = `${name} ${answer.status} ${type}`;
    // The operation's schema with the document's components beside it, so `#/components/…` resolve.
    const validate =
      this.compiled.get(key) ??
      this.ajv.compile({ allOf: [media.schema ?? {}], components: this.document.components });
    this.compiled.set(key, validate);
    if (validate(JSON.parse(answer.body))) return [];
    return (validate.errors ?? []).map(
      (e: ErrorObject) => `${key}: ${e.instancePath || '/'} ${e.message ?? ''}`,
    );
  }

  /** Documented success answers (status < 400) no checked answer has shown. */
  unseen(): string[] {
    return this.routes.flatMap((r) =>
      Object.keys(r.op.responses ?? {})
        .filter((s) => Number(s) < 400)
        .map((s) => `${r.method} ${r.template} ${s}`)
        .filter((k) => !this.seen.has(k)),
    );
  }
}
