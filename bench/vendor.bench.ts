import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Redis } from 'ioredis';
import { JetStreamEventStore } from '#event-store';
import { benchIdentity, benchStore, NATS_URL } from './bench-nats.js';
import { SystemClock } from '#platform';
import { createSigner, generateSigningKey } from '#protocol';
import { InMemoryWalletSliceStore } from '../apps/vendor/src/debit-wallet/wallet-slice-store.js';
import { RedisHotChainStore } from '../apps/vendor/src/engine/redis-hot-chain-store.js';
import { VendorEngine } from '../apps/vendor/src/engine/vendor-engine.js';
import { handOffResponder } from '../apps/vendor/src/hand-off/hand-off.responder.js';
import { NatsHandOffServer, NatsHandOffTransport } from '../apps/vendor/src/hand-off/nats-hand-off.js';
import { InMemoryBroker, type IssuedChain } from '../apps/vendor/test/in-memory-broker.js';
import type { BenchFigure } from './figures.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const DURATION_MS = Number(process.env.BENCH_DURATION_MS) > 0 ? Number(process.env.BENCH_DURATION_MS) : 1500;
const WARMUP_MS = Number(process.env.BENCH_WARMUP_MS) > 0 ? Number(process.env.BENCH_WARMUP_MS) : 300;

/** Real JetStream and Redis under names of this run's own, vendors as engines in this process. */
class Setup {
  private readonly closers: (() => Promise<unknown>)[] = [];
  /** Ed25519 signatures made with each vendor's key. */
  readonly signatures = new Map<string, number>();

  private constructor(
    readonly unique: string,
    readonly store: JetStreamEventStore,
    /** Only for cleaning up this run's keys. */
    readonly redis: Redis,
    readonly broker: InMemoryBroker,
  ) {}

  static async create(): Promise<Setup> {
    const unique = randomUUID().replaceAll('-', '').slice(0, 10);
    const store = await JetStreamEventStore.connect(
      benchStore(`BENCH_VENDOR_${unique}`, `bench.vendor${unique}.events`),
    );
    return new Setup(unique, store, new Redis(REDIS_URL), new InMemoryBroker(store));
  }

  async vendor(vendorId: string): Promise<VendorEngine> {
    const nc: NatsConnection = await connect({
      servers: NATS_URL,
      name: `bench-${vendorId}`,
      ...benchIdentity,
    });
    // Each vendor its own key prefix, as in production: a vendor's Redis knows only its own spends.
    const redis = new Redis(REDIS_URL, {
      keyPrefix: `bench:vendor:${this.unique}:${vendorId}:`,
      enableAutoPipelining: true,
    });
    const key = createSigner(generateSigningKey(`${vendorId}-1`));
    this.signatures.set(vendorId, 0);
    const signer = {
      ...key,
      sign: (message: Uint8Array) => {
        this.signatures.set(vendorId, (this.signatures.get(vendorId) ?? 0) + 1);
        return key.sign(message);
      },
    };
    const engine = new VendorEngine({
      vendorId,
      signer,
      clock: new SystemClock(),
      store: this.store,
      hot: new RedisHotChainStore(redis, { ttlMs: 600_000 }),
      slices: new InMemoryWalletSliceStore(),
      broker: this.broker,
      brokerKeys: this.broker.publicKeys(),
      transport: new NatsHandOffTransport(nc),
      accepted: { currency: 'NZD', coinValue: 5 },
      handOffTimeoutMs: 2_000,
    });
    this.broker.registerVendor(vendorId, signer);
    const server = new NatsHandOffServer(nc, vendorId, handOffResponder(engine.handOff));
    server.start();
    this.closers.push(async () => {
      await server.stop();
      await nc.close();
      await redis.quit();
    });
    return engine;
  }

  async chains(count: number, length: number): Promise<IssuedChain[]> {
    return Promise.all(
      Array.from({ length: count }, () =>
        this.broker.issue({ length, expiresAt: '2099-01-01T00:00:00.000Z' }),
      ),
    );
  }

  async dispose(): Promise<void> {
    for (const close of this.closers) await close().catch(() => undefined);
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(
        cursor,
        'MATCH',
        `bench:vendor:${this.unique}:*`,
        'COUNT',
        1000,
      );
      cursor = next;
      if (keys.length) await this.redis.unlink(...keys);
    } while (cursor !== '0');
    await this.redis.quit();
    await this.store.deleteStreams().catch(() => undefined);
    await this.store.close();
  }
}

interface Run {
  readonly opsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Ops completed in the timed part. */
  readonly ops: number;
  /** CPU time of this process (user + system) per op in the timed part, µs. */
  readonly cpuMicrosPerOp: number;
}

/**
 * `workers` loops run `op(worker)` back to back (each on chains of its own)
 * for the duration after a warm-up; answers completed ops per second and
 * latency percentiles.
 */
async function concurrently(workers: number, op: (worker: number) => Promise<void>): Promise<Run> {
  const warmupEnd = performance.now() + WARMUP_MS;
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      while (performance.now() < warmupEnd) await op(w);
    }),
  );
  const latencies: number[] = [];
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  const end = start + DURATION_MS;
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      while (performance.now() < end) {
        const t = performance.now();
        await op(w);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const elapsed = performance.now() - start;
  const cpu = process.cpuUsage(cpuBefore);
  latencies.sort((a, b) => a - b);
  const at = (q: number): number =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return {
    opsPerSecond: (latencies.length / elapsed) * 1000,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    ops: latencies.length,
    cpuMicrosPerOp: (cpu.user + cpu.system) / Math.max(1, latencies.length),
  };
}

/** Spends through verify → append (expected revision) → Redis write-behind → receipt, 64 chains in flight. */
async function spends(setup: Setup): Promise<BenchFigure[]> {
  const vendor = await setup.vendor(`bench_s_${setup.unique}`);
  const workers = 64;
  const chains = await setup.chains(workers, 20_000);
  const next = chains.map(() => 1);
  let n = 0;
  let spent = 0;
  const run = await concurrently(workers, async (w) => {
    const issued = chains[w]!;
    const index = next[w]!++;
    await vendor.spendCoins.execute({
      ...issued.chain.spendProof(index, 1),
      count: 1,
      resource: 'bench',
      correlationId: `b${n++}`,
    });
    spent++;
  });
  // Over the whole run, warm-up included: every spend's receipt is signed.
  const signatures = setup.signatures.get(vendor.vendorId) ?? 0;
  return [
    {
      name: 'vendor.spends',
      value: run.opsPerSecond,
      unit: 'spends/s',
      description: `in-process engine, real JetStream + Redis, ${workers} chains in flight: decide (1 hash) → append → Redis write-behind → signed receipt`,
    },
    {
      name: 'vendor.spend-latency-p50',
      value: run.p50Ms,
      unit: 'ms',
      description: 'one spend, under that load',
    },
    { name: 'vendor.spend-latency-p99', value: run.p99Ms, unit: 'ms' },
    {
      name: 'vendor.spend-cpu',
      value: run.cpuMicrosPerOp,
      unit: 'µs/spend',
      description:
        'CPU time of the bench process (engine, NATS and Redis clients; not nats-server or redis-server) per spend',
    },
    {
      name: 'vendor.receipts-per-signature',
      value: spent / Math.max(1, signatures),
      unit: 'receipts',
      description: 'spends answered per Ed25519 signature made with the vendor key',
    },
  ];
}

/** Each op is a spend at the vendor that does not hold the chain: NATS hand-off, certificate check, then the spend. */
async function handOffs(setup: Setup): Promise<BenchFigure[]> {
  const a = await setup.vendor(`bench_a_${setup.unique}`);
  const b = await setup.vendor(`bench_b_${setup.unique}`);
  const workers = 16;
  const chains = await setup.chains(workers, 20_000);
  const next = chains.map(() => 1);
  let n = 0;
  const run = await concurrently(workers, async (w) => {
    const issued = chains[w]!;
    const index = next[w]!++;
    const at = index % 2 === 0 ? b : a; // alternate: every spend after the first follows a hand-off
    await at.spendCoins.execute({
      ...issued.chain.spendProof(index, 1),
      count: 1,
      resource: 'bench',
      correlationId: `h${n++}`,
    });
  });
  return [
    {
      name: 'vendor.hand-offs',
      value: run.opsPerSecond,
      unit: 'hand-offs/s',
      description: `${workers} chains ping-ponging between two vendors over real NATS: fresh read, request, IndexHandedOff append, certificate check, spend`,
    },
    {
      name: 'vendor.hand-off-latency-p50',
      value: run.p50Ms,
      unit: 'ms',
      description: 'one hand-off plus its spend',
    },
  ];
}

/**
 * The first spend of a chain at a vendor, one at a time: nothing in memory or Redis, so the
 * chain's stream is read, its touchstone checked, the stream's head looked up for the append.
 * Then the second spend of the same chain (all in memory) for comparison. Under load these
 * cold spends make the slow tail of a run whose chains are all new (every load-test run).
 */
async function firstSpends(setup: Setup): Promise<BenchFigure[]> {
  const vendor = await setup.vendor(`bench_f_${setup.unique}`);
  const chains = await setup.chains(200, 100);
  const cold: number[] = [];
  const warm: number[] = [];
  let n = 0;
  for (const issued of chains) {
    for (const [index, into] of [
      [1, cold],
      [2, warm],
    ] as const) {
      const t = performance.now();
      await vendor.spendCoins.execute({
        ...issued.chain.spendProof(index, 1),
        count: 1,
        resource: 'bench',
        correlationId: `f${n++}`,
        touchstone: issued.touchstone,
      });
      into.push(performance.now() - t);
    }
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  return [
    {
      name: 'vendor.first-spend-latency-p50',
      value: median(cold),
      unit: 'ms',
      description:
        'first spend of a chain at a vendor, alone: stream read, touchstone check, head lookup, append',
    },
    {
      name: 'vendor.next-spend-latency-p50',
      value: median(warm),
      unit: 'ms',
      description: 'the spend after it, alone: state in memory, append',
    },
  ];
}

export default async function vendorBenchmarks(): Promise<BenchFigure[]> {
  const setup = await Setup.create();
  try {
    return [...(await spends(setup)), ...(await firstSpends(setup)), ...(await handOffs(setup))];
  } finally {
    await setup.dispose();
  }
}
