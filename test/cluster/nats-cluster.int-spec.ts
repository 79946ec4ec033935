// A three-node NATS cluster on loopback (test/cluster/nats-cluster.ts), streams with three
// replicas: spends, hand-offs and a night driven through it while one node and then another is
// killed with SIGKILL mid-load (never two at once) and restarted. Afterwards every acknowledged
// spend is in the store, none twice, the night pays each coin once and the audit is clean; the
// clients (given all three URLs) fail over by themselves. Also measured in the same run: spends
// on a one-replica stream against a three-replica one, and the time spends take to flow again
// after each node loss. NETPAY_CLUSTER_FULL=1 runs the longer form for docs/performance.md.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ConcurrencyError,
  type EventStore,
  type JetStreamEventStore,
  type RecordedEvent,
} from '#event-store';
import { connectTestStore, testNatsEnv, testNatsIdentity } from '#event-store/testing';
import { deterministicEventId, type NetPayEvent, streams, toNewEvent } from '#events';
import { ManualClock } from '#platform';
import { publicKeyRecord } from '#protocol';
import { SimulatedBank } from '../../apps/broker/src/bank/simulated-bank.js';
import { runCli } from '../../apps/auditor/src/cli/run.js';
import { ChainWorld } from '../../apps/redemption/test/chain-world.js';
import { nightFixture, WORKER_SIGNER, type NightFixture } from '../../apps/redemption/test/night-fixture.js';
import { NatsCluster, natsServerBinary } from './nats-cluster.js';

const FULL = process.env.NETPAY_CLUSTER_FULL === '1';
const DAY = '2026-03-10';
const binary = natsServerBinary();
const suite = binary ? describe : describe.skip;
if (!binary) console.log('SKIPPED nats cluster test: no nats-server binary (apt-get install nats-server)');

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Retries a transient failure (a node away, a leader being elected) until it is acknowledged. */
async function acknowledged<T>(
  work: () => Promise<T>,
  errors: { count: number },
  retryConflicts = false,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      // A conflict is not transient: the caller looks whether its own write is in (a lost ack).
      if (error instanceof ConcurrencyError && !retryConflicts) throw error;
      errors.count += 1;
      if (attempt > 600) throw error;
      await sleep(100);
    }
  }
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

interface Ack {
  readonly worker: number;
  readonly chainId: string;
  readonly vendorId: string;
  readonly fromIndex: number;
  readonly toIndex: number;
  readonly at: number;
  /** Its acknowledgement was lost in a fail-over and the retry met a conflict: found by reading. */
  readonly foundByReading?: boolean;
}

const customerOf = (prefix: string, worker: number): string => `cc_${prefix}_w${worker}`;
const meta = { correlationId: 'cluster-test', causationId: 'cluster-test', actor: 'broker' };

/** A customer per load worker, with a bank account to pay from (one hot account would serialise them). */
async function registerCustomer(
  store: EventStore,
  bank: SimulatedBank,
  prefix: string,
  worker: number,
): Promise<void> {
  const CUSTOMER = customerOf(prefix, worker);
  await bank.openAccount({ accountId: `acct_${CUSTOMER}`, currency: 'NZD', balance: 1_000_000_000 });
  const event: NetPayEvent = {
    type: 'CustomerRegistered',
    version: 1,
    data: {
      customerId: CUSTOMER,
      name: 'Cluster customer',
      tokenHash: createHash('sha256').update(CUSTOMER).digest('hex'),
      bankAccount: `acct_${CUSTOMER}`,
      at: '2026-01-01T00:00:00.000Z',
    },
  };
  await store.appendToStream(streams.customer(CUSTOMER), [
    toNewEvent(event, meta, deterministicEventId('customer', CUSTOMER)),
  ]);
}

/** The macro-payment that buys one chain (what the broker does before it issues it): charge, record. */
async function purchase(
  store: EventStore,
  bank: SimulatedBank,
  customer: string,
  chainId: string,
  coins: number,
  errors: { count: number },
): Promise<void> {
  const CUSTOMER = customer;
  const purchaseId = `p_${chainId}`;
  const charged = await acknowledged(
    () =>
      bank.charge({
        account: `acct_${CUSTOMER}`,
        amount: coins * 5,
        currency: 'NZD',
        idempotencyKey: `purchase_${purchaseId}`,
        reference: purchaseId,
      }),
    errors,
    true, // the bank's idempotency key makes a retry the same payment
  );
  if (!charged.ok) throw new Error(`charge refused: ${charged.message}`);
  const event: NetPayEvent = {
    type: 'CoinsPurchased',
    version: 1,
    data: {
      purchaseId,
      customerId: CUSTOMER,
      chainIds: [chainId],
      coins,
      coinValue: 5,
      amount: coins * 5,
      currency: 'NZD',
      wallet: 'client',
      paymentRef: charged.paymentRef,
      at: '2026-01-01T00:00:00.000Z',
    },
  };
  await store.appendToStream(
    streams.purchase(purchaseId),
    [toNewEvent(event, meta, deterministicEventId('purchase', purchaseId))],
    { expectedRevision: 'no_stream' },
  );
}

/** Load: each worker issues chains and spends them (va, then a hand-off to vb, then vb). */
class SpendLoad {
  readonly acks: Ack[] = [];
  readonly latencies: number[] = [];
  readonly errors = { count: 0 };
  conflicts = 0;
  private stopping = false;
  private readonly running: Promise<void>[] = [];
  private started = 0;
  private finished = 0;

  constructor(
    private readonly store: EventStore,
    private readonly bank: SimulatedBank,
    private readonly world: ChainWorld,
    private readonly prefix: string,
    private readonly spendsPerChain: number,
  ) {}

  async start(workers: number, chainsPerWorker = Number.POSITIVE_INFINITY): Promise<void> {
    for (let w = 0; w < workers; w++) await registerCustomer(this.store, this.bank, this.prefix, w);
    this.started = performance.now();
    for (let w = 0; w < workers; w++) this.running.push(this.worker(w, chainsPerWorker));
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.running);
  }

  async done(): Promise<void> {
    await Promise.all(this.running);
  }

  get seconds(): number {
    return (this.finished - this.started) / 1000;
  }

  private async worker(w: number, chains: number): Promise<void> {
    for (let c = 0; c < chains && !this.stopping; c++) {
      const chainId = `${this.prefix}w${w}c${c}`;
      // The customer's macro-payment, then the chain: both retried as the same writes (fixed ids, a
      // fixed seed), so whatever landed before a failure is the same as what the retry writes.
      const length = this.spendsPerChain + 2;
      try {
        await acknowledged(
          () => purchase(this.store, this.bank, customerOf(this.prefix, w), chainId, length, this.errors),
          this.errors,
        );
      } catch (error) {
        if (!(error instanceof ConcurrencyError)) throw error; // already in: a lost acknowledgement
      }
      try {
        const seed = createHash('sha256').update(chainId).digest('hex');
        await acknowledged(() => this.world.issue(chainId, { length, seed }), this.errors);
      } catch (error) {
        if (!(error instanceof ConcurrencyError)) throw error;
        this.conflicts += 1;
        continue; // issued, its acknowledgement lost: this world's model is behind, take a new chain
      }
      const half = Math.floor(this.spendsPerChain / 2);
      for (let s = 0; s < this.spendsPerChain && !this.stopping; s++) {
        const vendorId = s < half ? 'va' : 'vb';
        const t0 = performance.now();
        try {
          if (s === half) await acknowledged(() => this.world.handOff(chainId, 'va', 'vb'), this.errors);
          const range = await acknowledged(() => this.world.spend(chainId, vendorId, 1), this.errors);
          const at = performance.now();
          this.latencies.push(at - t0);
          this.acks.push({ worker: w, chainId, vendorId, ...range, at });
        } catch (error) {
          if (!(error instanceof ConcurrencyError)) throw error;
          // A retry after a lost acknowledgement met the write it retries (nats-server 2.9 may
          // forget a message id when the stream's leader changes): a vendor re-reads the chain.
          this.conflicts += 1;
          const events = await acknowledged(() => this.store.readStream(`chain-${chainId}`), this.errors);
          const mine = events.find(
            (e) => e.type === 'CoinsSpent' && (e.data as { fromIndex: number }).fromIndex === s + 1,
          );
          if (mine) {
            const at = performance.now();
            this.acks.push({
              worker: w,
              chainId,
              vendorId,
              fromIndex: s + 1,
              toIndex: s + 1,
              at,
              foundByReading: true,
            });
          }
          break; // this world's model of the chain is behind: go on with a new chain
        }
      }
    }
    this.finished = Math.max(this.finished, performance.now());
  }

  /** The longest time between `from` and `to` in which no spend at all was acknowledged. */
  longestPause(from: number, to: number): number {
    const times = [from, ...this.acks.map((a) => a.at).filter((t) => t > from && t < to), to].sort(
      (a, b) => a - b,
    );
    let longest = 0;
    for (let i = 1; i < times.length; i++) longest = Math.max(longest, times[i]! - times[i - 1]!);
    return longest;
  }

  /** How long after `since` every worker had a spend acknowledged again. */
  async recoveredAfter(since: number, workers: number, timeoutMs = 120_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const after = new Map<number, number>();
      for (const a of this.acks) if (a.at > since && !after.has(a.worker)) after.set(a.worker, a.at);
      if (after.size === workers) return Math.max(...after.values()) - since;
      if (Date.now() > deadline) throw new Error(`spends did not flow again (${after.size}/${workers})`);
      await sleep(50);
    }
  }
}

suite('a three-node NATS cluster with three replicas (kill -9 one node, then another)', () => {
  let cluster: NatsCluster;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  const stores: JetStreamEventStore[] = [];
  const unique = `${process.pid}${Date.now().toString(36)}`.slice(-10);
  const figures: Record<string, unknown> = { full: FULL };

  const connectStore = async (name: string, replicas: number): Promise<JetStreamEventStore> => {
    const deadline = Date.now() + 90_000;
    for (;;) {
      try {
        // Until the cluster has elected its JetStream meta leader, stream creation fails.
        const store = await connectTestStore({
          servers: cluster.urls,
          streamName: `TEST_CLUSTER_${name}_${unique}`,
          subjectPrefix: `test.cluster${name}${unique}.events`,
          replicas,
          requestTimeoutMs: 2_000,
          reconnectWaitMs: 250,
        });
        stores.push(store);
        return store;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await sleep(500);
      }
    }
  };

  const streamInfo = (name: string) => jsm.streams.info(`TEST_CLUSTER_${name}_${unique}`);

  /** Every replica of the stream is back and current (the restarted node caught up). */
  async function caughtUp(name: string): Promise<number> {
    const t0 = performance.now();
    for (;;) {
      const info = await streamInfo(name).catch(() => undefined);
      const replicas = info?.cluster?.replicas ?? [];
      if (info?.cluster?.leader && replicas.length === 2 && replicas.every((r) => r.current && !r.offline)) {
        return performance.now() - t0;
      }
      if (performance.now() - t0 > 120_000) throw new Error(`stream ${name} did not catch up`);
      await sleep(100);
    }
  }

  beforeAll(async () => {
    cluster = await NatsCluster.start(binary ?? 'nats-server');
    nc = await connect({
      servers: cluster.urls,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      ...testNatsIdentity('setup'),
    });
    // The nodes answer before JetStream's meta group has elected a leader: ask until it has.
    for (let tries = 0; ; tries++) {
      try {
        jsm = await jetstreamManager(nc, { timeout: 5_000 });
        break;
      } catch (error) {
        if (tries >= 20) throw error;
        await sleep(1_000);
      }
    }
  }, 180_000);

  afterAll(async () => {
    for (const store of stores) await store.close().catch(() => undefined);
    await nc?.close().catch(() => undefined);
    await cluster?.dispose();
    mkdirSync('.stack/test-results', { recursive: true });
    writeFileSync(join('.stack/test-results', 'nats-cluster.json'), `${JSON.stringify(figures, null, 2)}\n`);
    console.log(`nats cluster figures: ${JSON.stringify(figures)}`);
  });

  it('measures spends on one replica against three in the same run', async () => {
    const workers = FULL ? 16 : 6;
    const chains = FULL ? 8 : 3;
    const perChain = 20;
    const r1 = await connectStore('R1', 1);
    const r3 = await connectStore('R3M', 3);
    const result: Record<string, { spends: number; perSecond: number; p50: number; p99: number }> = {};
    // Twice each, alternating, so that neither profits from a quieter moment of the machine.
    for (const [label, store] of [
      ['R1', r1],
      ['R3', r3],
      ['R1', r1],
      ['R3', r3],
    ] as const) {
      const world = new ChainWorld(store);
      const bank = new SimulatedBank(store, new ManualClock('2026-03-10T01:00:00.000Z'), 1_000_000_000);
      const load = new SpendLoad(store, bank, world, `m${label}${Object.keys(result).length}`, perChain);
      await load.start(workers, chains);
      await load.done();
      const previous = result[label];
      const latencies = load.latencies;
      const run = {
        spends: load.acks.length,
        perSecond: load.acks.length / load.seconds,
        p50: percentile(latencies, 50),
        p99: percentile(latencies, 99),
      };
      expect(run.spends).toBe(workers * chains * perChain);
      result[label] = previous
        ? {
            spends: previous.spends + run.spends,
            perSecond: (previous.perSecond + run.perSecond) / 2,
            p50: (previous.p50 + run.p50) / 2,
            p99: (previous.p99 + run.p99) / 2,
          }
        : run;
    }
    const ms = (x: number): number => Math.round(x * 10) / 10;
    const shown = (r: { spends: number; perSecond: number; p50: number; p99: number } | undefined) =>
      r && { spends: r.spends, perSecond: Math.round(r.perSecond), p50Ms: ms(r.p50), p99Ms: ms(r.p99) };
    const ratio = (a = 0, b = 1): number => Math.round((a / b) * 100) / 100;
    figures.replicas = {
      workers,
      R1: shown(result.R1),
      R3: shown(result.R3),
      throughputR3overR1: ratio(result.R3?.perSecond, result.R1?.perSecond),
      p99R3overR1: ratio(result.R3?.p99, result.R1?.p99),
    };
  }, 600_000);

  it('keeps every acknowledged spend through two node losses, pays each coin once, audits clean', async () => {
    const store = await connectStore('R3', 3);
    expect((await streamInfo('R3')).config.num_replicas).toBe(3);
    const f: NightFixture = await nightFixture({ store });
    await f.vendors('va', 'vb');
    const workers = FULL ? 12 : 6;
    const load = new SpendLoad(store, f.bank, f.world.at(`${DAY}T01:00:00.000Z`), 'f', 10);
    await load.start(workers);
    const losses: {
      node: string;
      wasLeader: boolean;
      recoveredMs: number;
      stallMs: number;
      caughtUpMs: number;
    }[] = [];
    const waitAcks = async (n: number): Promise<void> => {
      const target = load.acks.length + n;
      while (load.acks.length < target) await sleep(50);
    };
    try {
      await waitAcks(FULL ? 1_000 : 150);
      let killed: string | undefined;
      for (let loss = 0; loss < 2; loss++) {
        // First the stream's leader; then another node than the one killed before.
        const leader = (await streamInfo('R3')).cluster?.leader;
        const victim =
          leader !== undefined && leader !== killed
            ? leader
            : (cluster.nodes.find((n) => n.name !== killed)?.name ?? 'n1');
        const t0 = performance.now();
        await cluster.kill(victim);
        const killedAt = performance.now();
        const recoveredMs = await load.recoveredAfter(killedAt, workers);
        await sleep(2_000);
        const stallMs = load.longestPause(t0, performance.now());
        await waitAcks(FULL ? 1_000 : 100);
        await cluster.startNode(victim);
        const caughtUpMs = await caughtUp('R3');
        await waitAcks(FULL ? 500 : 50);
        losses.push({
          node: victim,
          wasLeader: victim === leader,
          recoveredMs: Math.round(recoveredMs),
          stallMs: Math.round(stallMs),
          caughtUpMs: Math.round(caughtUpMs),
        });
        killed = victim;
      }
    } finally {
      await load.stop();
    }
    figures.failover = {
      workers,
      spends: load.acks.length,
      retriedErrors: load.errors.count,
      lostAcksFoundByReading: load.acks.filter((a) => a.foundByReading).length,
      conflictsAfterFailover: load.conflicts,
      losses,
    };
    expect(losses.map((l) => l.node)[0]).not.toBe(losses.map((l) => l.node)[1]);

    // Every acknowledged spend is in the store, once; the chains hold nothing unacknowledged twice.
    const reader = await connectStore('R3', 3);
    const spentAt = new Map<string, number>();
    const chainsOf = [...new Set(load.acks.map((a) => a.chainId))];
    for (const chainId of chainsOf) {
      const events: RecordedEvent[] = await reader.readStream(`chain-${chainId}`);
      expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
      for (const e of events.filter((x) => x.type === 'CoinsSpent')) {
        const d = e.data as { fromIndex?: number; index?: number; count?: number };
        const from = d.fromIndex ?? d.index ?? -1;
        const key = `${chainId}#${from}`;
        spentAt.set(key, (spentAt.get(key) ?? 0) + 1);
      }
    }
    for (const ack of load.acks) expect(spentAt.get(`${ack.chainId}#${ack.fromIndex}`)).toBe(1);
    expect([...spentAt.values()].every((n) => n === 1)).toBe(true);

    // The night pays each acknowledged coin once (5 cents a coin), through the cluster.
    // A batch whose append timed out on the busy machine is left for the next run (the CLI's exit
    // 2): run again, as the operator or the next cut-off would, until nothing is left.
    let report = await f.worker.night.run(DAY);
    for (let rerun = 0; rerun < 5 && report.failures.length > 0; rerun++) {
      report = await f.worker.night.run(DAY);
    }
    expect(report.failures).toEqual([]);
    const coins = (v: string): number => load.acks.filter((a) => a.vendorId === v).length;
    expect([await f.balance('va'), await f.balance('vb')]).toEqual([coins('va') * 5, coins('vb') * 5]);
    await f.dispose();

    // The auditor (its read-only identity, all three URLs) finds nothing wrong.
    const out: string[] = [];
    const env = {
      EVENT_STORE: 'jetstream',
      ...testNatsEnv('auditor', cluster.urls.join(',')),
      EVENT_STORE_STREAM: `TEST_CLUSTER_R3_${unique}`,
      EVENT_STORE_SUBJECT_PREFIX: `test.clusterR3${unique}.events`,
      BROKER_PUBLIC_KEYS: f.world.brokerKeys.map((k) => `${k.keyId}:${k.publicKey}`).join(','),
      REDEMPTION_PUBLIC_KEYS: `${WORKER_SIGNER.keyId}:${publicKeyRecord(WORKER_SIGNER).publicKey}`,
    };
    const code = await runCli(['--json'], env, {
      out: (t: string) => out.push(t),
      err: (t: string) => out.push(t),
      now: () => performance.now(),
    });
    const audit = JSON.parse(out[0] ?? '{}') as { ok?: boolean; violations?: unknown[] };
    expect(audit.violations).toEqual([]);
    expect(code).toBe(0);
  }, 900_000);
});
