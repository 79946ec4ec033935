import type { FastifyInstance } from 'fastify';

/**
 * The methods each route path answers, collected as Fastify registers the routes (`onRoute`), so
 * a request whose path exists under other methods is told so: 405 with `Allow`, not a 404 that
 * says the resource does not exist. Fastify's router answers a method it has no route for as
 * not found and keeps no public way to ask a path's other methods: hence this table of its own.
 */
export class RouteMethods {
  private readonly routes = new Map<string, { readonly pattern: RegExp; readonly methods: Set<string> }>();

  static attach(instance: FastifyInstance): RouteMethods {
    const table = new RouteMethods();
    instance.addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) table.add(route.url ?? route.path, method);
    });
    return table;
  }

  add(url: string, method: string): void {
    let route = this.routes.get(url);
    if (route === undefined) this.routes.set(url, (route = { pattern: patternOf(url), methods: new Set() }));
    route.methods.add(method.toUpperCase());
  }

  /** Every method some route answers at `url`'s path (its query ignored), sorted. */
  allowed(url: string): string[] {
    const query = url.indexOf('?');
    const path = query === -1 ? url : url.slice(0, query);
    const methods = new Set<string>();
    for (const { pattern, methods: of } of this.routes.values()) {
      if (pattern.test(path)) for (const m of of) methods.add(m);
    }
    return [...methods].sort();
  }
}

/** `/chains/:id/cash-out` → a RegExp of the whole path: a parameter is one segment, `*` the rest. */
function patternOf(url: string): RegExp {
  const source = url
    .split('/')
    .map((segment) => {
      if (segment === '*') return '.*';
      if (segment.startsWith(':')) return '[^/]+';
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  // As Fastify's router matches (ignoreTrailingSlash off): `/chains/` is not `/chains`.
  return new RegExp(`^${source}$`);
}
