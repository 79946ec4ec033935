import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repo root, from dist/apps/demo/src (compiled) or apps/demo/src (sources). */
export const repoRoot = resolve(
  dirname(fileURLToPath(import.meta.url)),
  import.meta.url.includes('/dist/') ? '../../../..' : '../../..',
);

export const stackDir = process.env.NETPAY_STACK_DIR ?? join(repoRoot, '.stack');

export function envPort(name: string, fallback: number): number {
  const raw = process.env[name];
  const port = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new Error(`${name} must be a port, got ${raw}`);
  return port;
}
