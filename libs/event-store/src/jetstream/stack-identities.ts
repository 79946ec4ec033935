import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A role's NATS identity: what `connect()` takes (see deploy/nats/README.md). */
export interface NatsIdentity {
  readonly user: string;
  readonly pass: string;
  readonly inboxPrefix: string;
}

interface StackAuthFile {
  readonly url: string;
  readonly identities: Record<string, { user: string; password: string; inboxPrefix: string }>;
}

/** Where `npm run stack:up` writes the local NATS's URL and identities. */
export function stackAuthFile(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return env.NETPAY_NATS_AUTH_FILE ?? join(process.cwd(), '.stack', 'nats-auth.json');
}

/**
 * The local stack's NATS (scripts/stack.mjs) and the identity of `role` there (`broker`,
 * `vendor-<id>`, `redemption`, `auditor`, `setup`, `test`): for the demo, the scripts and the tests.
 */
export function stackNats(role: string, file = stackAuthFile()): { url: string; identity: NatsIdentity } {
  return identityIn(readAuth(file), role, file);
}

function readAuth(file: string): StackAuthFile {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as StackAuthFile;
  } catch (error) {
    throw new Error(`no local NATS identities in ${file} (run \`npm run stack:up\`): ${String(error)}`);
  }
}

function identityIn(
  auth: StackAuthFile,
  role: string,
  file: string,
): { url: string; identity: NatsIdentity } {
  const found = auth.identities[role];
  if (!found) {
    throw new Error(
      `no NATS identity "${role}" in ${file}; roles: ${Object.keys(auth.identities).join(', ')} ` +
        '(vendor ids of the dev stack: DEV_VENDORS in scripts/nats-auth.mjs)',
    );
  }
  return {
    url: auth.url,
    identity: { user: found.user, pass: found.password, inboxPrefix: found.inboxPrefix },
  };
}

/** The same as environment variables, for a process of that role. */
export function stackNatsEnv(role: string, file = stackAuthFile()): Record<string, string> {
  const auth = readAuth(file);
  const { url, identity } = identityIn(auth, role, file);
  // A role that answers requests has a second identity for its event store (scripts/nats-auth.mjs).
  const store = auth.identities[`${role}-store`]
    ? identityIn(auth, `${role}-store`, file).identity
    : undefined;
  return {
    NATS_URL: url,
    NATS_USER: identity.user,
    NATS_PASSWORD: identity.pass,
    NATS_INBOX_PREFIX: identity.inboxPrefix,
    ...(store ? { EVENT_STORE_NATS_USER: store.user, EVENT_STORE_NATS_PASSWORD: store.pass } : {}),
  };
}
