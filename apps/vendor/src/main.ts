import 'reflect-metadata';
import {
  configSecrets,
  createHttpApp,
  exitOnStartFailure,
  httpOptionsOf,
  loadConfig,
  NetPayLogger,
  setupTracing,
} from '#platform';
import { VendorConfig } from './vendor.config.js';
import { VENDOR_VERSION, VendorModule } from './vendor.module.js';

/** Set once the configuration is read: a start-up failure is logged through it (its secrets redacted). */
let logger: NetPayLogger | undefined;
let service = 'vendor';

/** One vendor instance: HTTP (spends, debits, paid content) and NATS (hand-offs, CRL). */
async function main(): Promise<void> {
  const config = loadConfig(VendorConfig);
  service = `vendor-${config.vendorId}`;
  logger = NetPayLogger.fromEnv(service);
  // Trace ids in every request line; spans exported when OTEL_EXPORTER_OTLP_ENDPOINT is set.
  setupTracing({
    serviceName: `vendor-${config.vendorId}`,
    serviceVersion: VENDOR_VERSION,
    otlpEndpoint: config.otlpEndpoint,
  });
  logger.addSecrets(configSecrets(VendorConfig, config));
  if (config.eventStore === 'memory') {
    console.warn(
      'EVENT_STORE=memory: events live in this process only; hand-offs with other vendors cannot work.',
    );
  }
  await createHttpApp(VendorModule.forRoot(config), {
    name: `vendor-${config.vendorId}`,
    version: VENDOR_VERSION,
    description:
      'NetPay vendor: verifies payword spends by hashing, records them in the chain streams, takes chains over from ' +
      'other vendors over NATS, and sells content behind @Paid routes (HTTP 402 without payment). Errors are ' +
      'application/problem+json with a stable `code`.',
    ...httpOptionsOf(config),
    logger,
  });
}

main().catch((error: unknown) => exitOnStartFailure(service, error, logger));
