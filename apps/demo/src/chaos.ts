// `npm run chaos`: the fault suite. A whole NetPay stack (broker, three vendors, redemption
// worker) as separate processes on a nats-server and a redis-server of the suite's own, under
// steady load (spends, hand-offs, debits, purchases); one fault after another: kill -9 and
// restart of each process kind, NATS stopped past the reconnect window, Redis flushed, Redis
// killed, a vendor frozen (SIGSTOP) past the hand-off time-out. The suite restarts only what it
// killed, never to cure a hang. After each fault: the time from its end to normal service; every
// acknowledged spend in the store, no position accepted twice, a clean audit, and a night that
// pays each vendor exactly what it sold. Exits 0 only when every fault was survived.
import { randomBytes, randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { JetStreamEventStore, stackAuthFile } from '#event-store';
import { must } from './api.js';
import { payMismatches, verifyStore } from './chaos/checks.js';
import {
  ClientShopper,
  LoadLedger,
  type LoadWorld,
  ServerShopper,
  type Shop,
  SteadyLoad,
} from './chaos/load.js';
import { freePort, SuiteNats, SuiteRedis } from './chaos/servers.js';
import {
  brokerSpec,
  brokerUrl,
  DEMO_VENDORS,
  freshSecrets,
  redemptionPublicKeys,
  redemptionSpec,
  redemptionUrl,
  type StackOptions,
  vendorSpec,
  vendorUrl,
} from './local-stack.js';
import { bankBalance, businessDay, runAudit } from './night.js';
import { natsRoleEnv, natsRoleIdentity, repoRoot, stackDir } from './stack-env.js';
import { type ProcessSpec, type Running, Supervisor } from './supervisor.js';

const USAGE = `npm run chaos -- [--quick] [--faults a,b,…] [--seed N]
  The fault suite: a NetPay stack on its own nats-server and redis-server, under steady load,
  through kill -9 of each process kind, NATS down past the reconnect window, Redis flushed and
  killed, a vendor frozen past the hand-off time-out. After each fault it prints the recovery
  time and checks: no acknowledged spend lost, no position accepted twice, audit clean, the
  night pays each vendor exactly what it sold. Exits 0 only when every fault was survived.
  --quick   the bounded form CI runs (fewer shoppers, shorter outages, faster reconnects)
  --faults  names (or parts of them) of the faults to run, comma-separated: broker,
            vendor-music, redemption, NATS, FLUSHALL, Redis kill, frozen (default: all)
  --seed    seed of the shoppers' choices`;

const SHOPS: Record<string, { path: string; items: string[]; price: number }> = {
  newspaper: { path: '/articles', items: ['a1', 'a2', 'a3'], price: 2 },
  greetings: { path: '/cards', items: ['birthday', 'thanks', 'congrats'], price: 3 },
  music: { path: '/clips', items: ['m1', 'm2'], price: 5 },
};

interface Profile {
  readonly clientShoppers: number;
  readonly serverShoppers: number;
  readonly thinkMs: number;
  /** Load before a fault and after recovery, before the checks. */
  readonly loadMs: number;
  /** How long a killed process stays down before the suite starts it again. */
  readonly downMs: number;
  readonly natsOutageMs: number;
  /** NATS_RECONNECT_WAIT_MS of the services: nats.js gave up after 10 attempts of this. */
  readonly natsReconnectWaitMs: number;
  readonly redisOutageMs: number;
  readonly freezeMs: number;
  readonly handOffTimeout: string;
  readonly healWithinMs: number;
}

const FULL: Profile = {
  clientShoppers: 10,
  serverShoppers: 6,
  thinkMs: 0,
  loadMs: 20_000,
  downMs: 5_000,
  natsOutageMs: 35_000,
  natsReconnectWaitMs: 2_000,
  redisOutageMs: 10_000,
  freezeMs: 10_000,
  handOffTimeout: '1s',
  healWithinMs: 180_000,
};

const QUICK: Profile = {
  clientShoppers: 3,
  serverShoppers: 2,
  thinkMs: 20,
  loadMs: 3_000,
  downMs: 1_500,
  // 10 attempts of 0.5 s (plus jitter) is at most 7.5 s: the outage outlasts the old window.
  natsOutageMs: 10_000,
  natsReconnectWaitMs: 500,
  redisOutageMs: 4_000,
  freezeMs: 5_000,
  handOffTimeout: '1s',
  healWithinMs: 150_000,
};

interface FaultResult {
  readonly fault: string;
  readonly survived: boolean;
  readonly recoverySeconds: number | null;
  readonly acknowledged: number;
  readonly lost: number;
  readonly doubleAccepted: number;
  readonly auditClean: boolean;
  readonly paidAsSold: boolean;
  readonly notes: string[];
}

interface Fault {
  readonly name: string;
  /** Injects the fault and ends it; answers when it ended (ms since the epoch), and notes. */
  run(): Promise<{ endedAt: number; notes: string[]; ok: boolean }>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      faults: { type: 'string' },
      seed: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const profile = values.quick ? QUICK : FULL;
  const seed = values.seed === undefined ? randomBytes(4).readUInt32BE() : Number(values.seed);
  const runId = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`.toUpperCase();
  const started = Date.now();
  const progress = (line: string): void =>
    console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s] ${line}`);

  const nats = await SuiteNats.create(join(dirname(stackAuthFile()), 'nats', 'auth.conf'));
  const redis = await SuiteRedis.create();
  const logDir = join(stackDir, 'logs', `chaos-${runId}`);
  const supervisor = new Supervisor(repoRoot, logDir);
  const options: StackOptions = {
    secrets: freshSecrets(),
    streamName: `NETPAY_CHAOS_${runId}`,
    subjectPrefix: `netpay.chaos.${runId.toLowerCase()}`,
    natsSubjectPrefix: `netpay_chaos_${runId.toLowerCase()}`,
    redisKeyPrefix: `netpay:chaos:${runId.toLowerCase()}:`,
    natsUrl: nats.url,
    redisUrl: redis.url,
    brokerPort: await freePort(),
    redemptionPort: await freePort(),
    timeZone: 'UTC',
  };
  const vendors = await Promise.all(DEMO_VENDORS.map(async (v) => ({ ...v, port: await freePort() })));
  const extra = { NATS_RECONNECT_WAIT_MS: String(profile.natsReconnectWaitMs), LOG_LEVEL: 'warn' };
  const withEnv = (spec: ProcessSpec, env: Record<string, string>): ProcessSpec => ({
    ...spec,
    env: { ...spec.env, ...extra, ...env },
  });
  const specs = new Map<string, ProcessSpec>([
    ['broker', withEnv(brokerSpec(options), {})],
    ...vendors.map(
      (v) =>
        [
          `vendor-${v.id}`,
          withEnv(vendorSpec(options, v), { HANDOFF_TIMEOUT: profile.handOffTimeout }),
        ] as const,
    ),
    ['redemption', withEnv(redemptionSpec(options), { REDEMPTION_SCHEDULE: 'false' })],
  ]);
  const procs = new Map<string, Running>();
  const start = async (name: string): Promise<void> => {
    procs.set(name, await supervisor.start(specs.get(name)!, 120_000));
  };
  const kill = async (name: string): Promise<void> => {
    const child = procs.get(name)?.child;
    if (!child) return;
    const exited = new Promise((r) => child.once('exit', r));
    supervisor.kill(name);
    await exited;
  };
  const storeEnv = {
    NATS_URL: nats.url,
    EVENT_STORE: 'jetstream',
    EVENT_STORE_STREAM: options.streamName,
    EVENT_STORE_SUBJECT_PREFIX: options.subjectPrefix,
  };
  const connectStore = (role: string, provision = false): Promise<JetStreamEventStore> =>
    JetStreamEventStore.connect({
      servers: [nats.url],
      streamName: options.streamName,
      subjectPrefix: options.subjectPrefix,
      ...natsRoleIdentity(role),
      provision,
    });
  process.on('SIGINT', () => {
    void (async () => {
      await supervisor.stopAll();
      await Promise.all([redis.stop(), nats.stop()]);
      process.exit(130);
    })();
  });

  let load: SteadyLoad | undefined;
  const results: FaultResult[] = [];
  try {
    await (await connectStore('setup', true)).close();
    progress(
      `chaos ${runId} (${values.quick ? 'quick' : 'full'}), seed ${seed}; nats ${nats.url}, redis ${redis.url}`,
    );
    await start('broker');
    const admin = options.secrets.adminToken;
    for (const v of vendors) {
      await must(`${brokerUrl(options)}/bank/accounts`, {
        token: admin,
        body: { accountId: `vendor_${v.id}`, currency: 'NZD', balance: 0 },
      });
    }
    for (const v of vendors) await start(`vendor-${v.id}`);
    await start('redemption');
    progress(`broker, 3 vendors and the redemption worker are up (logs: ${logDir})`);

    const shops: Shop[] = vendors.map((v) => ({ id: v.id, url: vendorUrl(v.port), ...SHOPS[v.id]! }));
    const world: LoadWorld = { brokerUrl: brokerUrl(options), adminToken: admin, shops };
    const ledger = new LoadLedger();
    const shoppers = [
      ...(await Promise.all(
        Array.from({ length: profile.clientShoppers }, (_, i) =>
          ClientShopper.create(world, ledger, `chaos_c${i}`, seed + i),
        ),
      )),
      ...(await Promise.all(
        Array.from({ length: profile.serverShoppers }, (_, i) =>
          ServerShopper.create(world, ledger, `chaos_s${i}`, seed + 1_000 + i),
        ),
      )),
    ];
    const probe = await ClientShopper.create(world, ledger, 'chaos_probe_c', seed + 7);
    const probeServer = await ServerShopper.create(world, ledger, 'chaos_probe_s', seed + 8);
    load = new SteadyLoad(shoppers, profile.thinkMs);
    load.start();
    progress(`${shoppers.length} shoppers under steady load`);

    const readyUrls = [...specs.values()].map((s) => s.readyUrl);
    /** Every process ready, and a spend at each vendor (each a hand-off), a debit at each, a purchase. */
    const normalService = async (since: number): Promise<{ at: number; lastReady: string }> => {
      const deadline = Date.now() + profile.healWithinMs;
      const names = [...specs.keys()];
      const notReady = async (): Promise<string[]> => {
        const answers = await Promise.all(
          readyUrls.map((u) =>
            fetch(u, { signal: AbortSignal.timeout(2_000) }).then(
              (r) => r.ok,
              () => false,
            ),
          ),
        );
        return names.filter((_, i) => !answers[i]);
      };
      let lastReady = 'all were ready at once';
      for (let waiting = await notReady(); waiting.length > 0;) {
        if (Date.now() > deadline) {
          throw new Error(`not ready again by itself: ${waiting.join(', ')}`);
        }
        await sleep(200);
        const now = await notReady();
        if (now.length === 0)
          lastReady = `${waiting.join(', ')} ready last, at ${((Date.now() - since) / 1000).toFixed(1)} s`;
        waiting = now;
      }
      for (const shop of shops) {
        while (!(await probe.buyAt(shop))) {
          if (Date.now() > deadline) throw new Error(`no spend at ${shop.id} after the fault`);
          await sleep(200);
        }
        while (!(await probeServer.buyAt(shop))) {
          if (Date.now() > deadline)
            throw new Error(
              `no debit at ${shop.id} after the fault (last answer ${probeServer.lastRefusal ?? 'none'})`,
            );
          await sleep(200);
        }
      }
      const bought = await Promise.race([probe.buyCoins().then(() => true), sleep(60_000).then(() => false)]);
      if (!bought) throw new Error('no purchase after the fault');
      return { at: Date.now(), lastReady };
    };

    const restartFault = (name: string): Fault => ({
      name: `kill -9 ${name}`,
      run: async () => {
        await kill(name);
        await sleep(profile.downMs);
        const endedAt = Date.now();
        await start(name);
        return { endedAt, notes: [], ok: true };
      },
    });
    const victim = shops[0]!;
    const rescuer = shops[1]!;
    const faults: Fault[] = [
      restartFault('broker'),
      restartFault(`vendor-${shops[2]!.id}`),
      restartFault('redemption'),
      {
        name: `NATS down ${profile.natsOutageMs / 1000} s`,
        run: async () => {
          await nats.kill();
          await sleep(profile.natsOutageMs);
          const endedAt = Date.now();
          await nats.start();
          return { endedAt, notes: [], ok: true };
        },
      },
      {
        name: 'Redis FLUSHALL',
        run: async () => {
          const client = new Redis(redis.url, { maxRetriesPerRequest: 3 });
          try {
            await client.flushall();
          } finally {
            client.disconnect();
          }
          return { endedAt: Date.now(), notes: [], ok: true };
        },
      },
      {
        name: `Redis kill -9, back empty after ${profile.redisOutageMs / 1000} s`,
        run: async () => {
          await redis.kill();
          await sleep(profile.redisOutageMs);
          const endedAt = Date.now();
          await redis.start();
          return { endedAt, notes: [], ok: true };
        },
      },
      {
        name: `vendor ${victim.id} frozen (SIGSTOP) ${profile.freezeMs / 1000} s`,
        run: async () => {
          // The probe's chain is held by the victim; while it is frozen, another vendor must take it over.
          while (!(await probe.buyAt(victim))) await sleep(200);
          const child = procs.get(`vendor-${victim.id}`)!.child;
          const frozenAt = Date.now();
          child.kill('SIGSTOP');
          const notes: string[] = [];
          let ok = true;
          try {
            let tookOver = false;
            while (!tookOver && Date.now() - frozenAt < profile.freezeMs)
              tookOver = await probe.buyAt(rescuer);
            if (tookOver)
              notes.push(
                `${rescuer.id} took a chain over from the frozen vendor in ${((Date.now() - frozenAt) / 1000).toFixed(1)} s`,
              );
            else {
              ok = false;
              notes.push(`no take-over from the frozen vendor within ${profile.freezeMs / 1000} s`);
            }
            await sleep(Math.max(0, profile.freezeMs - (Date.now() - frozenAt)));
          } finally {
            child.kill('SIGCONT');
          }
          return { endedAt: Date.now(), notes, ok };
        },
      },
    ];
    const chosen = values.faults
      ? faults.filter((f) => values.faults!.split(',').some((n) => f.name.includes(n.trim())))
      : faults;

    for (const fault of chosen) {
      await sleep(profile.loadMs);
      progress(`fault: ${fault.name}`);
      const notes: string[] = [];
      let recoverySeconds: number | null = null;
      let healed = false;
      let faultOk = false;
      try {
        const outcome = await fault.run();
        notes.push(...outcome.notes);
        faultOk = outcome.ok;
        const normal = await normalService(outcome.endedAt);
        recoverySeconds = (normal.at - outcome.endedAt) / 1000;
        healed = true;
        progress(
          `  normal service ${recoverySeconds.toFixed(1)} s after the fault ended (${normal.lastReady})`,
        );
      } catch (error) {
        notes.push(`did not heal: ${(error as Error).message}`);
        progress(`  DID NOT HEAL: ${(error as Error).message}`);
      }
      await sleep(profile.loadMs);
      await load.hold();
      const store = await connectStore('auditor');
      let verdict;
      try {
        verdict = await verifyStore(store, ledger.acks.values());
      } finally {
        await store.close();
      }
      let paidAsSold = false;
      try {
        const nightStarted = Date.now();
        const night = await runNight(
          redemptionUrl(options),
          admin,
          businessDay(new Date(), options.timeZone),
        );
        notes.push(`night ${((Date.now() - nightStarted) / 1000).toFixed(1)} s`);
        if (night.failures?.length) notes.push(`night failures: ${JSON.stringify(night.failures)}`);
        const paid: Record<string, number> = {};
        for (const v of vendors) paid[v.id] = await bankBalance(brokerUrl(options), admin, `vendor_${v.id}`);
        const mismatches = payMismatches(verdict.sold, paid);
        notes.push(...mismatches);
        paidAsSold = mismatches.length === 0 && !night.failures?.length;
      } catch (error) {
        notes.push(`night: ${(error as Error).message.slice(0, 300)}`);
      }
      const audit = await runAudit(repoRoot, {
        ...storeEnv,
        ...natsRoleEnv('auditor'),
        NATS_URL: nats.url,
        BROKER_PUBLIC_KEYS: `${options.secrets.brokerKey.keyId}:${options.secrets.brokerKey.publicKey}`,
        REDEMPTION_PUBLIC_KEYS: redemptionPublicKeys(options.secrets),
      }).catch((error: unknown) => ({ exitCode: -1, report: {}, error: String(error).slice(0, 300) }));
      const auditClean = audit.exitCode === 0;
      if (!auditClean) {
        notes.push(
          'error' in audit
            ? `audit did not run: ${audit.error}`
            : `audit: ${JSON.stringify(audit.report.violationsByRule ?? {})}`,
        );
      }
      const doubleAccepted = verdict.doubleAccepted + ledger.doubleAcknowledged;
      const result: FaultResult = {
        fault: fault.name,
        survived: healed && faultOk && verdict.lost === 0 && doubleAccepted === 0 && auditClean && paidAsSold,
        recoverySeconds,
        acknowledged: verdict.acknowledged,
        lost: verdict.lost,
        doubleAccepted,
        auditClean,
        paidAsSold,
        notes,
      };
      results.push(result);
      progress(
        `  ${result.survived ? 'survived' : 'FAILED'}: ${verdict.acknowledged} acknowledged spends (${verdict.spends} in the store), ` +
          `${verdict.lost} lost, ${doubleAccepted} accepted twice, audit ${auditClean ? 'clean' : 'NOT clean'}, ` +
          `night ${paidAsSold ? 'paid each vendor what it sold' : 'WRONG'}${notes.length ? `; ${notes.join('; ')}` : ''}`,
      );
      load.release();
    }
    await load.stop();
    load = undefined;
    printTable(results, ledger, (Date.now() - started) / 1000);
    return results.length > 0 && results.every((r) => r.survived) ? 0 : 1;
  } catch (error) {
    console.error(`chaos failed: ${(error as Error).stack ?? String(error)}`);
    return 1;
  } finally {
    await load?.stop().catch(() => undefined);
    await supervisor.stopAll();
    await redis.stop();
    await nats.stop();
  }
}

/** The operator's night for `day`; a night over a large day takes longer than a client call's 15 s. */
async function runNight(url: string, adminToken: string, day: string): Promise<{ failures?: unknown[] }> {
  const res = await fetch(`${url}/redemption/nights`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${adminToken}`,
      'content-type': 'application/json',
      'idempotency-key': randomUUID(),
    },
    body: JSON.stringify({ day }),
    signal: AbortSignal.timeout(600_000),
  });
  const body = (await res.json()) as { failures?: unknown[] };
  if (!res.ok) throw new Error(`night ${day}: ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
  return body;
}

function printTable(results: readonly FaultResult[], ledger: LoadLedger, seconds: number): void {
  console.log('');
  console.log(
    '| fault | survived | recovery (s) | acknowledged spends | lost | accepted twice | audit | night |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of results) {
    console.log(
      `| ${r.fault} | ${r.survived ? 'yes' : 'NO'} | ${r.recoverySeconds?.toFixed(1) ?? '—'} | ${r.acknowledged} | ${r.lost} | ${r.doubleAccepted} | ${r.auditClean ? 'clean' : 'NOT clean'} | ${r.paidAsSold ? 'paid as sold' : 'WRONG'} |`,
    );
  }
  const survived = results.filter((r) => r.survived).length;
  const last = results.at(-1);
  console.log('');
  console.log(
    `faults survived ${survived}/${results.length}; acknowledged spends ${last?.acknowledged ?? 0}; ` +
      `purchases ${ledger.purchases}, re-issues ${ledger.reissues}; requests ${ledger.attempts}; ${seconds.toFixed(0)} s`,
  );
  const refusals = [...ledger.refusals].sort((a, b) => b[1] - a[1]);
  console.log(
    `answers other than a sale (retried or given up): ${refusals.map(([c, n]) => `${c} ${n}`).join(', ') || 'none'}`,
  );
  console.log(
    `CHAOS-SUMMARY ${JSON.stringify({
      survived,
      faults: results.length,
      acknowledged: last?.acknowledged ?? 0,
      lost: results.reduce((s, r) => s + r.lost, 0),
      doubleAccepted: results.reduce((s, r) => s + r.doubleAccepted, 0),
      recovery: Object.fromEntries(results.map((r) => [r.fault, r.recoverySeconds])),
    })}`,
  );
}

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  console.log(USAGE);
  process.exit(0);
}
process.exit(await main());
