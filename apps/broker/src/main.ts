import 'reflect-metadata';
import { queues } from '#contracts';
import { eventStoreSettings } from '#event-store';
import {
  configSecrets,
  connectNats,
  createHttpApp,
  exitOnStartFailure,
  httpOptionsOf,
  loadConfig,
  natsIdentityOptions,
  NetPayLogger,
  setupTracing,
} from '#platform';
import { BrokerConfig } from './broker.config.js';
import { BROKER_VERSION, BrokerModule } from './broker.module.js';
import { BROKER_STATUS_BY_CODE } from './shared/broker-errors.js';

/** Set once the configuration is read: a start-up failure is logged through it (its secrets redacted). */
let logger: NetPayLogger | undefined;

/** The broker: HTTP (customers, vendors' registration, admin) and NATS (touchstones, keys, checkout). */
async function main(): Promise<void> {
  const config = loadConfig(BrokerConfig);
  logger = NetPayLogger.fromEnv('broker');
  // Trace ids in every request line; spans exported when OTEL_EXPORTER_OTLP_ENDPOINT is set.
  setupTracing({ serviceName: 'broker', serviceVersion: BROKER_VERSION, otlpEndpoint: config.otlpEndpoint });
  logger.addSecrets(configSecrets(BrokerConfig, config));
  if (config.demoClockOffsetMs > 0) {
    console.warn(
      `DEMO_CLOCK_OFFSET: this broker's clock runs ${config.demoClockOffsetMs} ms ahead of the machine's (a demo; never in production).`,
    );
  }
  if (config.eventStore === 'memory') {
    console.warn('EVENT_STORE=memory: events live in this process only and are lost when it stops.');
  }
  await createHttpApp(BrokerModule.forRoot({ config, eventStore: eventStoreSettings(config) }), {
    name: 'broker',
    version: BROKER_VERSION,
    description:
      'NetPay broker: customers register and buy e-coins (hash chains) with one macro-payment; vendors get ' +
      'touchstones, keys and server-side wallets over NATS. Errors are application/problem+json with a stable `code`.',
    ...httpOptionsOf(config),
    logger,
    statusByCode: BROKER_STATUS_BY_CODE,
    configure: async (app) => {
      await connectNats(app, {
        servers: config.natsServers,
        queue: queues.broker,
        name: 'broker',
        identity: natsIdentityOptions(config),
      });
    },
  });
}

main().catch((error: unknown) => exitOnStartFailure('broker', error, logger));
