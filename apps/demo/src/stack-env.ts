import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type NatsIdentity, stackNats, stackNatsEnv } from '#event-store';
import { stackConfig } from './stack.config.js';

/** Repo root, from dist/apps/demo/src (compiled) or apps/demo/src (sources). */
export const repoRoot = resolve(
  dirname(fileURLToPath(import.meta.url)),
  import.meta.url.includes('/dist/') ? '../../../..' : '../../..',
);

export const stackDir = stackConfig().stackDir || join(repoRoot, '.stack');

/** Where `npm run stack:up` wrote the local NATS's URL and the identity of every role (read at each call). */
const natsAuthFile = (): string => stackConfig().natsAuthFile ?? join(stackDir, 'nats-auth.json');

/** The NATS identity of `role` (`broker`, `vendor-<id>`, …) as env; none when the stack has no identities. */
export function natsRoleEnv(role: string): Record<string, string> {
  return existsSync(natsAuthFile()) ? stackNatsEnv(role, natsAuthFile()) : {};
}

/** The same as connection options (the demo provisions and drops its streams as `setup`). */
export function natsRoleIdentity(role: string): Partial<NatsIdentity> {
  return existsSync(natsAuthFile()) ? stackNats(role, natsAuthFile()).identity : {};
}

/** NATS_URL, else the local stack's NATS (it may run on another port than 4222, see scripts/stack.mjs). */
export function localNatsUrl(): string {
  return stackConfig().natsUrl ?? natsRoleEnv('setup').NATS_URL ?? 'nats://127.0.0.1:4222';
}
