// The setup role's job: creates or updates the event store's JetStream streams (events and
// checkpoints) from configuration, with the setup identity. The applications only check them.
//
//   node scripts/setup-streams.mjs        (npm run setup; scripts/stack.mjs up runs it)
//
// Reads EVENT_STORE_STREAM, EVENT_STORE_SUBJECT_PREFIX, EVENT_STORE_DUPLICATE_WINDOW_MS,
// EVENT_STORE_REPLICAS (default 1), EVENT_STORE_MAX_BYTES (default unlimited),
// EVENT_STORE_MAX_AGE_MS (default forever), NATS_URL, and the setup identity: NATS_USER +
// NATS_PASSWORD / NATS_PASSWORD_FILE, else the `setup` identity of the local stack
// (.stack/nats-auth.json).
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { eventStoreSettingsFromEnv, JetStreamEventStore, stackAuthFile, stackNats } = await import(
  join(root, 'dist/libs/event-store/src/index.js')
);

function count(name) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0)
    throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return value;
}

const env = { ...process.env, EVENT_STORE: 'jetstream' };
if (!env.NATS_USER && existsSync(stackAuthFile(env))) {
  const { url, identity } = stackNats('setup', stackAuthFile(env));
  Object.assign(env, {
    NATS_URL: env.NATS_URL ?? url,
    NATS_USER: identity.user,
    NATS_PASSWORD: identity.pass,
  });
}
const { jetstream } = eventStoreSettingsFromEnv(env);
const limits = {
  ...(count('EVENT_STORE_REPLICAS') ? { replicas: count('EVENT_STORE_REPLICAS') } : {}),
  ...(count('EVENT_STORE_MAX_BYTES') ? { maxBytes: count('EVENT_STORE_MAX_BYTES') } : {}),
  ...(count('EVENT_STORE_MAX_AGE_MS') ? { maxAgeMs: count('EVENT_STORE_MAX_AGE_MS') } : {}),
};
try {
  await JetStreamEventStore.provision({ ...jetstream, ...limits, connectionName: 'netpay-setup' });
  const name = jetstream.streamName ?? 'NETPAY_EVENTS';
  console.log(`setup: streams ${name} and ${name}_CHECKPOINTS ready (${jetstream.servers.join(',')})`);
} catch (error) {
  console.error(`setup: ${error.message}`);
  process.exit(1);
}
