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
import { PeerConfig } from './peer.config.js';
import { PEER_VERSION, PeerModule } from './peer.module.js';

/** Set once the configuration is read: a start-up failure is logged through it (its secrets redacted). */
let logger: NetPayLogger | undefined;

/** One P2P-NetPay peer: sells what it shares for e-coins (HTTP) and buys from other peers with its wallet. */
async function main(): Promise<void> {
  const config = loadConfig(PeerConfig);
  logger = NetPayLogger.fromEnv('peer');
  // Its key, control token and passwords are blanked wherever they would reach a log line.
  logger.addSecrets(configSecrets(PeerConfig, config));
  setupTracing({ serviceName: 'peer', serviceVersion: PEER_VERSION, otlpEndpoint: config.otlpEndpoint });
  await createHttpApp(PeerModule.forRoot({ config, storeSettings: eventStoreSettings(config) }), {
    name: 'peer',
    version: PEER_VERSION,
    description:
      'NetPay P2P peer: its catalogue, purchase requests and paid downloads (verified off-line by hashing), and the ' +
      'owner’s control API. Errors are application/problem+json with a stable `code`.',
    ...httpOptionsOf(config),
    logger,
  });
}

main().catch((error: unknown) => exitOnStartFailure('peer', error, logger));
