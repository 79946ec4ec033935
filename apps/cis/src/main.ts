import 'reflect-metadata';
import { eventStoreSettings } from '#event-store';
import { ConfigError, createHttpApp, httpOptionsOf, loadConfig, setupTracing } from '#platform';
import { CisConfig } from './cis.config.js';
import { CIS_VERSION, CisModule } from './cis.module.js';

/** The P2P-NetPay Central Index Server: peers register, buy coins, announce, search and redeem over HTTP. */
async function main(): Promise<void> {
  const config = loadConfig(CisConfig);
  setupTracing({ serviceName: 'cis', serviceVersion: CIS_VERSION, otlpEndpoint: config.otlpEndpoint });
  await createHttpApp(CisModule.forRoot({ config, eventStore: eventStoreSettings(config) }), {
    name: 'cis',
    version: CIS_VERSION,
    description:
      'NetPay P2P Central Index Server: pseudonymous peers, coin sales under the contribution policy, the content index, ' +
      'double-spend proofs and revocation, redemption. Errors are application/problem+json with a stable `code`.',
    ...httpOptionsOf(config),
  });
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) console.error(error.message);
  else console.error('cis failed to start:', error);
  process.exit(1);
});
