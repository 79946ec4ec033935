import 'reflect-metadata';
import { eventStoreSettings } from '#event-store';
import { ConfigError, createHttpApp, httpOptionsOf, loadConfig, setupTracing } from '#platform';
import { PeerConfig } from './peer.config.js';
import { PEER_VERSION, PeerModule } from './peer.module.js';

/** One P2P-NetPay peer: sells what it shares for e-coins (HTTP) and buys from other peers with its wallet. */
async function main(): Promise<void> {
  const config = loadConfig(PeerConfig);
  setupTracing({ serviceName: 'peer', serviceVersion: PEER_VERSION, otlpEndpoint: config.otlpEndpoint });
  await createHttpApp(PeerModule.forRoot({ config, storeSettings: eventStoreSettings(config) }), {
    name: 'peer',
    version: PEER_VERSION,
    description:
      'NetPay P2P peer: its catalogue, purchase requests and paid downloads (verified off-line by hashing), and the ' +
      'owner’s control API. Errors are application/problem+json with a stable `code`.',
    ...httpOptionsOf(config),
  });
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) console.error(error.message);
  else console.error('peer failed to start:', error);
  process.exit(1);
});
