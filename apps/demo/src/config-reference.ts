import { EventStoreConfig, renderConfigMarkdown, ServiceConfig, StreamSetupConfig } from '#config';
import { AuditorConfig } from '../../auditor/src/cli/auditor.config.js';
import { BrokerConfig } from '../../broker/src/broker.config.js';
import { CisConfig } from '../../cis/src/cis.config.js';
import { PeerConfig } from '../../peer/src/peer.config.js';
import { RedemptionConfig } from '../../redemption/src/redemption.config.js';
import { VendorConfig } from '../../vendor/src/vendor.config.js';
import { StackConfig } from './stack.config.js';

/**
 * The README's configuration reference, generated from the processes' own config classes (every
 * variable of every process is declared in one of them and validated by `loadConfig` at start-up).
 * Shared variables are listed once; each app's table shows what it adds or gives another default.
 */
export function configReference(): string {
  return [
    '### Every service (broker, vendor, redemption worker): HTTP, NATS, event store, Redis\n',
    renderConfigMarkdown(ServiceConfig),
    '### Broker (`apps/broker`)\n',
    renderConfigMarkdown(BrokerConfig, ServiceConfig),
    '### Vendor (`apps/vendor`)\n',
    renderConfigMarkdown(VendorConfig, ServiceConfig),
    '### Redemption worker (`apps/redemption`)\n',
    renderConfigMarkdown(RedemptionConfig, ServiceConfig),
    '### Auditor (`netpay-audit`): the event store and NATS variables above, and\n',
    renderConfigMarkdown(AuditorConfig, EventStoreConfig),
    '### Stream setup (`npm run setup`): the event store and NATS variables above, and\n',
    renderConfigMarkdown(StreamSetupConfig, EventStoreConfig),
    '### Local stack (`npm start`, `npm run demo`)\n',
    renderConfigMarkdown(StackConfig),
    '### P2P-NetPay Central Index Server (`apps/cis`)\n',
    renderConfigMarkdown(CisConfig),
    '### P2P-NetPay peer (`apps/peer`)\n',
    renderConfigMarkdown(PeerConfig),
  ].join('\n');
}

if (process.argv[1]?.endsWith('config-reference.js')) process.stdout.write(configReference());
