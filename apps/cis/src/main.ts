import 'reflect-metadata';
import { eventStoreSettings } from '#event-store';
import {
  configSecrets,
  createHttpApp,
  exitOnStartFailure,
  httpOptionsOf,
  loadConfig,
  NetPayLogger,
  setupTracing,
} from '#platform';
import { CisConfig } from './cis.config.js';
import { CIS_VERSION, CisModule } from './cis.module.js';

/** Set once the configuration is read: a start-up failure is logged through it (its secrets redacted). */
let logger: NetPayLogger | undefined;

/** The P2P-NetPay Central Index Server: peers register, buy coins, announce, search and redeem over HTTP. */
async function main(): Promise<void> {
  const config = loadConfig(CisConfig);
  logger = NetPayLogger.fromEnv('cis');
  // Its signing key, secret and passwords are blanked wherever they would reach a log line.
  logger.addSecrets(configSecrets(CisConfig, config));
  setupTracing({ serviceName: 'cis', serviceVersion: CIS_VERSION, otlpEndpoint: config.otlpEndpoint });
  await createHttpApp(CisModule.forRoot({ config, eventStore: eventStoreSettings(config) }), {
    name: 'cis',
    version: CIS_VERSION,
    description:
      'NetPay P2P Central Index Server: pseudonymous peers, coin sales under the contribution policy, the content index, ' +
      'double-spend proofs and revocation, redemption. Errors are application/problem+json with a stable `code`.',
    ...httpOptionsOf(config),
    logger,
  });
}

main().catch((error: unknown) => exitOnStartFailure('cis', error, logger));
