import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';

/** HTTP status → stable codes a guard can refuse with. */
export type ProblemCodes = Readonly<Record<number, readonly string[]>>;

const GUARD_PROBLEMS = Symbol.for('netpay.platform.guard-problems');
const GUARDS = '__guards__'; // where @UseGuards() keeps its guards (@nestjs/common)

/**
 * Declares the refusals of a guard (`@GuardProblems({ 401: ['ADMIN.UNAUTHORISED'] })`): every route
 * it guards then documents them as problem+json answers, so the codes are stated once, beside the
 * code that throws them.
 */
export function GuardProblems(problems: ProblemCodes): ClassDecorator {
  return (target) => Reflect.defineMetadata(GUARD_PROBLEMS, problems, target);
}

/** `<Controller>_<method>` (the document's operationId) → the problems of the route's guards. */
export function guardProblemsByOperation(app: INestApplication): Map<string, ProblemCodes[]> {
  const out = new Map<string, ProblemCodes[]>();
  for (const module of app.get(ModulesContainer, { strict: false }).values()) {
    for (const wrapper of module.controllers.values()) {
      const cls = wrapper.metatype as (new (...args: never[]) => object) | undefined;
      if (!cls) continue;
      const classGuards = (Reflect.getMetadata(GUARDS, cls) as unknown[] | undefined) ?? [];
      for (const name of Object.getOwnPropertyNames(cls.prototype)) {
        const method = (cls.prototype as Record<string, unknown>)[name];
        if (name === 'constructor' || typeof method !== 'function') continue;
        const guards = [
          ...classGuards,
          ...((Reflect.getMetadata(GUARDS, method) as unknown[] | undefined) ?? []),
        ];
        const problems = guards
          .map((g) => (typeof g === 'function' ? g : (g as object | undefined)?.constructor))
          .map((g) => (g ? (Reflect.getMetadata(GUARD_PROBLEMS, g) as ProblemCodes | undefined) : undefined))
          .filter((p): p is ProblemCodes => p !== undefined);
        if (problems.length) out.set(`${cls.name}_${name}`, problems);
      }
    }
  }
  return out;
}
