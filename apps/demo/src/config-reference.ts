import { renderConfigMarkdown } from '#platform';
import { BrokerConfig } from '../../broker/src/broker.config.js';
import { CisConfig } from '../../cis/src/cis.config.js';
import { PeerConfig } from '../../peer/src/peer.config.js';
import { RedemptionConfig } from '../../redemption/src/redemption.config.js';
import { VendorConfig } from '../../vendor/src/vendor.config.js';

/**
 * Variables shared by every app: the event store's (`eventStoreSettingsFromEnv`) and the
 * reconnect policy's (`reconnectPolicyFromEnv`).
 */
const EVENT_STORE_TABLE = `| Variable | Type | Default | Description |
| --- | --- | --- | --- |
| \`EVENT_STORE\` | string | \`jetstream\` | \`jetstream\`, \`eventstoredb\` or \`memory\` (one process only) |
| \`EVENT_STORE_STREAM\` | string | \`NETPAY_EVENTS\` | JetStream stream holding every event |
| \`EVENT_STORE_SUBJECT_PREFIX\` | string | \`netpay.events\` | subject prefix of that stream (\`<prefix>.<category>.<stream>\`) |
| \`EVENT_STORE_DUPLICATE_WINDOW_MS\` | integer | \`600000\` | JetStream de-duplication window of event ids |
| \`EVENT_STORE_TIMEOUT_MS\` | integer | \`5000\` | time-out of one store request |
| \`EVENTSTORE_CONNECTION_STRING\` | url | | EventStoreDB/KurrentDB, e.g. \`esdb://host:2113?tls=false\` (required with \`eventstoredb\`) |
| \`EVENT_STORE_REPLICAS\` | integer | \`1\` | replicas of the JetStream streams (read by the setup command, \`npm run setup\`) |
| \`EVENT_STORE_MAX_BYTES\` | integer | | size limit of the event stream; full, it refuses new events (setup command) |
| \`EVENT_STORE_MAX_AGE_MS\` | integer | | age limit of events (setup command; default: kept for ever) |
| \`NATS_RECONNECT_WAIT_MS\` | integer | \`2000\` | wait between NATS reconnect attempts (plus up to half as jitter); every connection reconnects forever |
| \`REDIS_RECONNECT_MAX_WAIT_MS\` | integer | \`2000\` | longest wait between Redis reconnect attempts (growing from 50 ms, with jitter); Redis clients reconnect forever |
| \`NATS_SUBJECT_PREFIX\` | string | \`netpay\` | namespace of the broker/vendor NATS subjects and queue groups, so several deployments can share one NATS |
`;

/** The README's configuration reference, generated from the services' own config classes. */
export function configReference(): string {
  return [
    '### Every service: event store and NATS namespace\n',
    EVENT_STORE_TABLE,
    '### Broker (`apps/broker`)\n',
    renderConfigMarkdown(BrokerConfig),
    '### Vendor (`apps/vendor`)\n',
    renderConfigMarkdown(VendorConfig),
    '### Redemption worker (`apps/redemption`)\n',
    renderConfigMarkdown(RedemptionConfig),
    '### P2P-NetPay Central Index Server (`apps/cis`)\n',
    renderConfigMarkdown(CisConfig),
    '### P2P-NetPay peer (`apps/peer`)\n',
    renderConfigMarkdown(PeerConfig),
  ].join('\n');
}

if (process.argv[1]?.endsWith('config-reference.js')) process.stdout.write(configReference());
