import { existsSync } from 'node:fs';
import type { JetStreamEventStoreConfig } from '../jetstream/jetstream-config.js';
import { JetStreamEventStore } from '../jetstream/jetstream-event-store.js';
import { type NatsIdentity, stackAuthFile, stackNats, stackNatsEnv } from '../jetstream/stack-identities.js';

/**
 * NATS for tests: the local stack's auth-enabled server (`npm run stack:up` writes its URL and
 * every role's identity to .stack/nats-auth.json) and the identity of the role a test plays.
 * Roles: `broker`, `vendor-<id>` (ids: DEV_VENDORS in scripts/nats-auth.mjs), `redemption`,
 * `auditor`, `setup` (streams), and `test` (fixtures: seeds events, listens anywhere).
 * Without the file (a NATS of someone else's at NATS_URL): no identity, like before.
 */
const hasStack = (): boolean => existsSync(stackAuthFile());

export const TEST_NATS_URL: string = hasStack()
  ? stackNats('setup').url
  : (process.env.NATS_URL ?? 'nats://127.0.0.1:4222');

/** The identity of `role` as nats.js / Nest NATS options (`user`, `pass`, `inboxPrefix`). */
export function testNatsIdentity(role = 'test'): Partial<NatsIdentity> {
  return hasStack() ? stackNats(role).identity : {};
}

/** `servers` plus the identity of `role`: for `connect()` and Nest's NATS transport. */
export function testNatsOptions(role = 'test'): { servers: string } & Partial<NatsIdentity> {
  return { servers: TEST_NATS_URL, ...testNatsIdentity(role) };
}

/** The identity of `role` as a service's environment (NATS_URL, NATS_USER, NATS_PASSWORD, NATS_INBOX_PREFIX). */
export function testNatsEnv(role: string, url = TEST_NATS_URL): Record<string, string> {
  return { ...(hasStack() ? stackNatsEnv(role) : {}), NATS_URL: url };
}

/**
 * A JetStream store on streams of the test's own: the setup role creates them (applications
 * only check), then the store connects as `role` (default `test`, which may write anything).
 */
export async function connectTestStore(
  config: Omit<JetStreamEventStoreConfig, 'servers'> & { readonly servers?: string | readonly string[] },
  role = 'test',
): Promise<JetStreamEventStore> {
  const servers = config.servers ?? TEST_NATS_URL;
  await JetStreamEventStore.provision({ ...config, servers, ...testNatsIdentity('setup') });
  return JetStreamEventStore.connect({ ...config, servers, ...testNatsIdentity(role) });
}
