import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { JetStreamEventStore } from '#event-store';
import { must } from './api.js';
import type { ShopFront } from './customers.js';
import {
  attack,
  buyShortLived,
  cashOut,
  crashAndRecover,
  openShop,
  settleExpired,
  trade,
  type DayContext,
} from './day.js';
import {
  brokerSpec,
  brokerUrl,
  DEMO_VENDORS,
  freshSecrets,
  redemptionSpec,
  redemptionUrl,
  vendorSpec,
  vendorUrl,
  type StackOptions,
} from './local-stack.js';
import { bankBalance, businessDay, runAudit, runNights } from './night.js';
import { runP2PDemo } from './p2p-demo.js';
import { Random } from './random.js';
import { printSummary } from './summary.js';
import { stackConfig } from './stack.config.js';
import { localNatsUrl, natsRoleIdentity, repoRoot, stackDir } from './stack-env.js';
import { Supervisor } from './supervisor.js';
import { Tally } from './tally.js';
import { runMobileDemo } from './mobile.js';
import { auditEnvOf, keptForAudit } from './audit-env.js';

const SHOPS: Record<string, { path: string; items: string[]; price: number }> = {
  newspaper: { path: '/articles', items: ['a1', 'a2', 'a3'], price: 2 },
  greetings: { path: '/cards', items: ['birthday', 'thanks', 'congrats'], price: 3 },
  music: { path: '/clips', items: ['m1', 'm2'], price: 5 },
};

/**
 * How far ahead the restarted broker's clock runs: a one-day chain bought today expires at the end
 * of tomorrow (UTC), at most 48 h from now; 3 days also covers EXPIRY_GRACE (10 min by default).
 */
const EXPIRY_OFFSET = '3d';

const USAGE = `npm run demo -- [--customers N] [--spends N] [--seed N] [--keep]
  A whole NetPay day on local NATS/JetStream and Redis: broker, redemption worker and
  three vendors as separate processes; customers buy coins and content, move between
  vendors, one vendor crashes and restarts, a double spend and a forged payword are
  refused, a customer cashes out; then the night's redemption; then the broker restarts
  three days later by its clock (DEMO_CLOCK_OFFSET) and settles an expired one-day chain
  (refund); then the audit. Exits 0 only when the audit is clean.
  --customers  customers (half client-side, half server-side wallets)   default 12
  --spends     content sold over the day (paid spends)                 default 300
  --seed       seed of the day's random choices                        default: random
  --keep       keep the day's JetStream stream afterwards, and write what npm run audit
               needs beside its name (.stack/demo/<stream>.env): npm run audit -- --env <file>
  --network    client-server (default) | mobile | p2p:
               mobile — a Mobile-NetPay day: the broker is the network operator's Service
               Provider; prepaid and postpaid subscribers buy coins on their operator account and
               content at the vendors (apps/demo/README.md);
               p2p — the P2P-NetPay day (the CIS and six peers; --downloads N paid downloads,
               default 40; apps/peer/README.md)`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      customers: { type: 'string', default: '12' },
      spends: { type: 'string', default: '300' },
      seed: { type: 'string' },
      keep: { type: 'boolean', default: false },
      network: { type: 'string', default: 'client-server' },
      downloads: { type: 'string', default: '40' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values.network === 'p2p') {
    const seed = values.seed === undefined ? randomBytes(4).readUInt32BE() : Number(values.seed);
    return runP2PDemo({ seed, downloads: Math.max(1, Number(values.downloads)), keep: values.keep });
  }
  const customers = Math.max(2, Number(values.customers));
  const spends = Math.max(1, Number(values.spends));
  const seed = values.seed === undefined ? randomBytes(4).readUInt32BE() : Number(values.seed);
  if (
    ![customers, spends, seed].every(Number.isSafeInteger) ||
    !['client-server', 'web', 'mobile'].includes(values.network)
  ) {
    console.error(USAGE);
    return 2;
  }
  const runId = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`.toUpperCase();
  const options: StackOptions = {
    secrets: freshSecrets(),
    streamName: `NETPAY_DEMO_${runId}`,
    subjectPrefix: `netpay.demo.${runId.toLowerCase()}`,
    natsSubjectPrefix: `netpay_demo_${runId.toLowerCase()}`,
    redisKeyPrefix: `netpay:demo:${runId.toLowerCase()}:`,
    natsUrl: localNatsUrl(),
    redisUrl: stackConfig().redisUrl,
    ...(stackConfig().durableRedisUrl ? { durableRedisUrl: stackConfig().durableRedisUrl } : {}),
    brokerPort: stackConfig().brokerPort,
    redemptionPort: stackConfig().redemptionPort,
    timeZone: stackConfig().timeZone,
  };
  const started = Date.now();
  const progress = (line: string): void =>
    console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s] ${line}`);
  const supervisor = new Supervisor(repoRoot, join(stackDir, 'logs', `demo-${runId}`));
  const storeEnv = {
    EVENT_STORE: 'jetstream',
    NATS_URL: options.natsUrl,
    EVENT_STORE_STREAM: options.streamName,
    EVENT_STORE_SUBJECT_PREFIX: options.subjectPrefix,
  };
  // The setup role provisions the run's streams; the services only check them.
  await streamsOfRun(storeEnv, async () => undefined, true);
  // Ctrl-C, or a signal npm forwards (it execs this process): stop every service first.
  process.on('SIGINT', () => void supervisor.stopAll().then(() => process.exit(130)));
  process.on('SIGTERM', () => void supervisor.stopAll().then(() => process.exit(143)));
  try {
    if (values.network === 'mobile') {
      progress(`Mobile-NetPay demo ${runId}: ${spends} content sales, seed ${seed}`);
      return await runMobileDemo({ runId, options, spends, seed, storeEnv, progress, supervisor });
    }
    progress(`demo ${runId}: ${customers} customers, ${spends} content sales, seed ${seed}`);
    await supervisor.start(brokerSpec(options));
    const admin = options.secrets.adminToken;
    for (const v of DEMO_VENDORS) {
      await must(`${brokerUrl(options)}/bank/accounts`, {
        token: admin,
        body: { accountId: `vendor_${v.id}`, currency: 'NZD', balance: 0 },
      });
    }
    for (const v of DEMO_VENDORS) await supervisor.start(vendorSpec(options, v));
    await supervisor.start({
      ...redemptionSpec(options),
      env: { ...redemptionSpec(options).env, REDEMPTION_SCHEDULE: 'false' },
    });
    progress(
      `broker, redemption worker and ${DEMO_VENDORS.length} vendors are up (logs: ${join(stackDir, 'logs', `demo-${runId}`)})`,
    );

    const tally = new Tally();
    const shops: ShopFront[] = DEMO_VENDORS.map((v) => ({
      id: v.id,
      url: vendorUrl(v.port),
      ...SHOPS[v.id]!,
    }));
    const ctx: DayContext = {
      brokerUrl: brokerUrl(options),
      adminToken: admin,
      shops,
      tally,
      progress,
      crashVendor: async (vendorId) => {
        const vendor = DEMO_VENDORS.find((v) => v.id === vendorId);
        if (!vendor) throw new Error(`no vendor ${vendorId}`);
        supervisor.kill(`vendor-${vendorId}`);
        return async () => {
          await supervisor.start(vendorSpec(options, vendor));
        };
      },
    };
    const rng = new Random(seed);
    const days = [businessDay(new Date(), options.timeZone)];
    const people = await openShop(ctx, { customers, spends, seed, concurrency: 8 });
    const short = await buyShortLived(ctx, 3);
    await trade(ctx, people, Math.ceil(spends / 2), rng);
    progress(`morning: ${tally.sales} sales, ${tally.handOffs} hand-offs`);
    await crashAndRecover(ctx, people, 'music');
    await trade(ctx, people, Math.floor(spends / 2), rng);
    progress(`afternoon: ${tally.sales} sales, ${tally.handOffs} hand-offs`);
    await attack(ctx, people);
    await cashOut(ctx, people);
    days.push(businessDay(new Date(), options.timeZone));

    progress('night: sealing, verifying and paying the redemption batches');
    const nights = await runNights(redemptionUrl(options), admin, days);
    // Days later: the broker restarts with its clock ahead (DEMO_CLOCK_OFFSET, refused in
    // production) and its expiry sweep settles the one-day chain, which has expired by then.
    const shortBalance = (): Promise<number> => bankBalance(brokerUrl(options), admin, short.bankAccount);
    const balanceBefore = await shortBalance();
    await supervisor.stop('broker');
    await supervisor.start(
      brokerSpec(options, { DEMO_CLOCK_OFFSET: EXPIRY_OFFSET, EXPIRY_SWEEP_INTERVAL: '1s' }),
    );
    progress(`the broker restarted ${EXPIRY_OFFSET} later by its clock (DEMO_CLOCK_OFFSET): expiry sweep`);
    await settleExpired(ctx, short, shortBalance, balanceBefore);
    const paid: Record<string, number> = {};
    for (const v of DEMO_VENDORS) paid[v.id] = await bankBalance(brokerUrl(options), admin, `vendor_${v.id}`);
    progress('audit: replaying the event store');
    const auditEnv = auditEnvOf(options, storeEnv);
    const audit = await runAudit(repoRoot, auditEnv);
    printSummary({
      runId,
      seconds: (Date.now() - started) / 1000,
      tally,
      paid,
      nights,
      audit,
      streamName: options.streamName,
    });
    if (values.keep) console.log(keptForAudit(auditEnv, join(stackDir, 'demo', `${options.streamName}.env`)));
    const attacksRefused = tally.attacks.every((a) => a.refused);
    return audit.exitCode === 0 && attacksRefused && tally.failures === 0 ? 0 : 1;
  } catch (error) {
    console.error(`demo failed: ${(error as Error).stack ?? String(error)}`);
    return 1;
  } finally {
    await supervisor.stopAll();
    if (!values.keep) await streamsOfRun(storeEnv, (store) => store.deleteStreams());
  }
}

/** The demo's events live in their own streams: the setup role creates them, and drops them unless --keep. */
async function streamsOfRun(
  env: Record<string, string>,
  work: (store: JetStreamEventStore) => Promise<unknown>,
  provision = false,
): Promise<void> {
  const { JetStreamEventStore } = await import('#event-store');
  const store = await JetStreamEventStore.connect({
    servers: [env.NATS_URL ?? ''],
    streamName: env.EVENT_STORE_STREAM ?? '',
    subjectPrefix: env.EVENT_STORE_SUBJECT_PREFIX ?? '',
    ...natsRoleIdentity('setup'),
    provision,
  });
  try {
    await work(store);
  } finally {
    await store.close();
  }
}

process.exit(await main());
