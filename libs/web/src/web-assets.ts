import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What the pages are made of: files in `libs/web/assets` and the compiled `@netpay/wallet`. */
export interface WebAsset {
  readonly body: string;
  readonly contentType: string;
}

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** Names a request may ask for: no path separators, no dot files, a known extension. */
const NAME = /^[a-z0-9][a-z0-9-]{0,62}\.(?:html|css|mjs|js|svg)$/;

/**
 * The repository (or image) root: the first directory above this module holding
 * `libs/web/assets`. Works from the TypeScript sources (tests) and from `dist/` alike.
 */
function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'libs', 'web', 'assets'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('libs/web/assets not found above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
}

/**
 * Serves the pages' files from memory after the first read. Browser code is plain ES modules
 * (no bundler, no framework): the pages are small, and the wallet library is the same compiled
 * code Node uses.
 */
export class WebAssets {
  private readonly cache = new Map<string, WebAsset>();
  private readonly root = findRoot();

  /** A page or script of `libs/web/assets`; undefined for anything else. */
  asset(name: string): Promise<WebAsset | undefined> {
    return this.load(`asset:${name}`, name, join(this.root, 'libs', 'web', 'assets', name));
  }

  /** A module of the compiled wallet library (`npm run build`). */
  walletModule(name: string): Promise<WebAsset | undefined> {
    return this.load(`wallet:${name}`, name, join(this.root, 'dist', 'packages', 'wallet', 'src', name));
  }

  private async load(key: string, name: string, path: string): Promise<WebAsset | undefined> {
    if (!NAME.test(name)) return undefined;
    const hit = this.cache.get(key);
    if (hit) return hit;
    const body = await readFile(path, 'utf8').catch(() => undefined);
    if (body === undefined) return undefined;
    const asset = { body, contentType: TYPES[name.slice(name.lastIndexOf('.'))]! };
    this.cache.set(key, asset);
    return asset;
  }
}

/** Headers of every page answer: no caching of pages that show balances, no sniffing. */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
};
