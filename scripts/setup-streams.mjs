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
const { eventStoreSettings, JetStreamEventStore, stackAuthFile, stackNats } = await import(
  join(root, 'dist/libs/event-store/src/index.js')
);
// The one configuration mechanism of every process (declared in StreamSetupConfig, in the README).
const { ConfigError, loadConfig, StreamSetupConfig } = await import(
  join(root, 'dist/libs/platform/src/config/index.js')
);

const env = { ...process.env, EVENT_STORE: 'jetstream' };
if (!env.NATS_USER && existsSync(stackAuthFile(env))) {
  const { url, identity } = stackNats('setup', stackAuthFile(env));
  Object.assign(env, {
    NATS_URL: env.NATS_URL ?? url,
    NATS_USER: identity.user,
    NATS_PASSWORD: identity.pass,
  });
}
let config;
try {
  config = loadConfig(StreamSetupConfig, env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`setup: ${error.message}`);
  process.exit(1);
}
const { jetstream } = eventStoreSettings(config);
const limits = {
  replicas: config.eventStoreReplicas,
  ...(config.eventStoreMaxBytes ? { maxBytes: config.eventStoreMaxBytes } : {}),
  ...(config.eventStoreMaxAgeMs ? { maxAgeMs: config.eventStoreMaxAgeMs } : {}),
};
try {
  await JetStreamEventStore.provision({ ...jetstream, ...limits, connectionName: 'netpay-setup' });
  const name = jetstream.streamName ?? 'NETPAY_EVENTS';
  console.log(`setup: streams ${name} and ${name}_CHECKPOINTS ready (${jetstream.servers.join(',')})`);
} catch (error) {
  console.error(`setup: ${error.message}`);
  process.exit(1);
}
