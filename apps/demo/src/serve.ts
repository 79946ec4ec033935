import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { JetStreamEventStore } from '#event-store';
import { auditEnvOf, writeAuditEnv } from './audit-env.js';
import {
  brokerSpec,
  brokerUrl,
  DEMO_VENDORS,
  persistentSecrets,
  redemptionSpec,
  redemptionUrl,
  stackRedisPrefix,
  vendorSpec,
  vendorUrl,
  type StackOptions,
} from './local-stack.js';
import { stackConfig } from './stack.config.js';
import { localNatsUrl, natsRoleIdentity, repoRoot, stackDir } from './stack-env.js';
import { Supervisor } from './supervisor.js';

/**
 * `npm start`: the local NetPay stack (broker, three vendors, redemption worker)
 * on local NATS/JetStream and Redis, serving until Ctrl-C. Its events stay in
 * the `NETPAY_EVENTS` stream and its keys in .stack/secrets.json across restarts.
 */
async function main(): Promise<void> {
  const config = stackConfig();
  const secrets = persistentSecrets(join(stackDir, 'secrets.json'));
  const options: StackOptions = {
    secrets,
    streamName: config.streamName,
    subjectPrefix: config.subjectPrefix,
    natsSubjectPrefix: config.natsSubjectPrefix,
    redisKeyPrefix: stackRedisPrefix(config.redisKeyPrefix, secrets, config.streamName),
    natsUrl: localNatsUrl(),
    redisUrl: config.redisUrl,
    ...(config.durableRedisUrl ? { durableRedisUrl: config.durableRedisUrl } : {}),
    brokerPort: config.brokerPort,
    redemptionPort: config.redemptionPort,
    timeZone: config.timeZone,
  };
  // A process that dies on its own (a crash, an OOM kill) is started again, backing off from 1 s
  // to 30 s while it keeps failing; its state is in the store and Redis, so it resumes where it was.
  const supervisor = new Supervisor(repoRoot, join(stackDir, 'logs'), {
    log: (line) => console.log(`${new Date().toISOString()}  ${line}`),
  });
  let stopping = false;
  const stop = async (code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    console.log('\nstopping every NetPay process…');
    await supervisor.stopAll();
    console.log('stopped.');
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  try {
    // The setup role provisions the streams (stack:up did for the default one; a load run names its own).
    await JetStreamEventStore.provision({
      servers: [options.natsUrl],
      streamName: options.streamName,
      subjectPrefix: options.subjectPrefix,
      ...natsRoleIdentity('setup'),
    });
    await supervisor.start(brokerSpec(options));
    await openVendorAccounts(options);
    for (const vendor of DEMO_VENDORS) await supervisor.start(vendorSpec(options, vendor));
    await supervisor.start(redemptionSpec(options));
  } catch (error) {
    console.error(`start-up failed: ${(error as Error).message}`);
    await stop(1);
    return;
  }
  const rows = [
    ['broker', brokerUrl(options)],
    ...DEMO_VENDORS.map((v) => [`vendor ${v.id}`, vendorUrl(v.port)]),
    ['redemption', redemptionUrl(options)],
  ];
  console.log('\nNetPay is serving (Ctrl-C stops every process):\n');
  for (const [name, url] of rows) console.log(`  ${name!.padEnd(18)} ${url}   API docs: ${url}/docs`);
  await printPages(options);
  console.log(`\n  admin token: in ${join(stackDir, 'secrets.json')} (adminToken)`);
  console.log(`  logs:        ${join(stackDir, 'logs')}/`);
  console.log(`  redis:       keys ${options.redisKeyPrefix}… on ${options.redisUrl}`);
  console.log(`  events:      JetStream stream ${options.streamName} on ${options.natsUrl}`);
  // The auditor needs the stack's NATS, its own identity and the pinned keys: one file holds them.
  const auditFile = writeAuditEnv(
    auditEnvOf(options, {
      EVENT_STORE: 'jetstream',
      NATS_URL: options.natsUrl,
      EVENT_STORE_STREAM: options.streamName,
      EVENT_STORE_SUBJECT_PREFIX: options.subjectPrefix,
    }),
    join(stackDir, 'start.env'),
  );
  console.log(`  audit:       npm run audit -- --env ${auditFile}\n`);
}

/**
 * The vendors' accounts at the simulated bank (`VENDOR_BANK_ACCOUNT` of each, as the demo opens
 * them): without them every night's payout to a vendor is declined (`account-unknown`). Kept
 * across restarts with the stream: an account that exists already is left as it is.
 */
async function openVendorAccounts(options: StackOptions): Promise<void> {
  for (const v of DEMO_VENDORS) {
    const response = await fetch(`${brokerUrl(options)}/bank/accounts`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${options.secrets.adminToken}`,
        'content-type': 'application/json',
        'idempotency-key': randomUUID(),
      },
      body: JSON.stringify({ accountId: `vendor_${v.id}`, currency: 'NZD', balance: 0 }),
    });
    const { code } = (await response.json().catch(() => ({}))) as { code?: string };
    if (!response.ok && code !== 'BANK.ACCOUNT_EXISTS') {
      throw new Error(
        `cannot open the bank account of vendor ${v.id}: HTTP ${response.status} ${code ?? ''}`,
      );
    }
  }
}

/** What a person opens in a browser, and a simulated bank account to register with. */
async function printPages(options: StackOptions): Promise<void> {
  const broker = brokerUrl(options);
  console.log('\nOpen in your browser:\n');
  console.log(`  ${'broker site'.padEnd(18)} ${broker}/   register, buy coins, wallet, history, vendors`);
  for (const v of DEMO_VENDORS) console.log(`  ${`shop ${v.id}`.padEnd(18)} ${vendorUrl(v.port)}/`);
  const accountId = `demo_${randomBytes(4).toString('hex')}`;
  try {
    const response = await fetch(`${broker}/bank/accounts`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${options.secrets.adminToken}`,
        'content-type': 'application/json',
        'idempotency-key': randomUUID(),
      },
      body: JSON.stringify({ accountId, currency: 'NZD', balance: 100_000 }),
    });
    const { mandate } = (await response.json()) as { mandate?: string };
    if (!response.ok || !mandate) throw new Error(`HTTP ${response.status}`);
    console.log(
      `\n  register with the simulated bank's account ${accountId}, mandate ${mandate} (NZD 1000.00)`,
    );
  } catch (error) {
    console.log(`\n  (no demo bank account: ${(error as Error).message}; open one with POST /bank/accounts)`);
  }
}

void main();
