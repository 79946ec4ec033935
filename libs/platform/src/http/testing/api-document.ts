import type { DynamicModule, Provider, Type, ValueProvider } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { OpenAPIObject } from '@nestjs/swagger';
import { Test } from '@nestjs/testing';
import { buildApiDocument } from '../api-docs.js';

type ModuleLike = DynamicModule | Type<unknown>;

/** Every controller of a module and the modules it imports (as the app would mount them). */
export function controllersOf(root: ModuleLike, seen = new Set<unknown>()): Type<unknown>[] {
  const dynamic = (root as DynamicModule).module ? (root as DynamicModule) : undefined;
  const cls = dynamic?.module ?? (root as Type<unknown>);
  if (seen.has(root)) return [];
  seen.add(root);
  const own = [
    ...((Reflect.getMetadata('controllers', cls) as Type<unknown>[] | undefined) ?? []),
    ...((dynamic?.controllers as Type<unknown>[] | undefined) ?? []),
  ];
  const imports = [
    ...((Reflect.getMetadata('imports', cls) as unknown[] | undefined) ?? []),
    ...(dynamic?.imports ?? []),
  ].filter(
    (m): m is ModuleLike => typeof m === 'function' || (typeof m === 'object' && m !== null && 'module' in m),
  );
  return [...new Set([...own, ...imports.flatMap((m) => controllersOf(m, seen))])];
}

/** The `useValue` providers of the module tree (configs, tokens): guards read them when built. */
function valueProvidersOf(root: ModuleLike, seen = new Set<unknown>()): Provider[] {
  if (seen.has(root)) return [];
  seen.add(root);
  const dynamic = (root as DynamicModule).module ? (root as DynamicModule) : undefined;
  const own = (dynamic?.providers ?? []).filter(
    (p): p is ValueProvider => typeof p === 'object' && p !== null && 'useValue' in p,
  );
  const imports = (dynamic?.imports ?? []).filter(
    (m): m is ModuleLike => typeof m === 'function' || (typeof m === 'object' && m !== null && 'module' in m),
  );
  return [...own, ...imports.flatMap((m) => valueProvidersOf(m, seen))];
}

/**
 * The OpenAPI document an app serves at `/docs-json`, built from its module's controllers alone
 * (their dependencies are stand-ins: only the routes and their decorators matter), so a unit test
 * can validate and snapshot it without NATS, Redis or a store.
 */
export async function apiDocumentOf(
  module: ModuleLike,
  info: { name: string; version: string; description?: string },
): Promise<OpenAPIObject> {
  const moduleRef = await Test.createTestingModule({
    controllers: controllersOf(module),
    providers: valueProvidersOf(module),
  })
    .useMocker(() => ({}))
    .compile();
  const app = moduleRef.createNestApplication(new FastifyAdapter(), { logger: false });
  await app.init();
  try {
    return buildApiDocument(app, info);
  } finally {
    await app.close();
  }
}
