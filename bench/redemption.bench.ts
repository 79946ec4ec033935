import { performance } from 'node:perf_hooks';
import { InMemoryEventStore, type EventStore } from '#event-store';
import { forgetVerifiedSignatures } from '#protocol';
import type { RedemptionItem } from '#events';
import { replayChain, type ChainLedger } from '../apps/redemption/src/domain/chain-ledger.js';
import { verifyBatch } from '../apps/redemption/src/domain/verify-batch.js';
import { RedemptionReads } from '../apps/redemption/src/night/store-reads.js';
import { nightFixture } from '../apps/redemption/test/night-fixture.js';
import { ChainWorld } from '../apps/redemption/test/chain-world.js';
import type { BenchFigure } from './figures.js';
import { measureOpsPerSecond } from './measure.js';

const CHAINS = Number(process.env.BENCH_REDEMPTION_CHAINS ?? 200);

/**
 * Per chain: va spends 2, hands off to vb, vb spends 2, hands back, va spends 1. So va claims
 * [1..2] and [5..5], vb claims [3..4]: three items per chain, two hand-off certificates.
 */
async function busyDay(world: ChainWorld, chains: number): Promise<void> {
  world.at('2026-03-10T01:00:00.000Z');
  for (let i = 0; i < chains; i++) {
    const id = `bench_${i}`;
    await world.issue(id, { length: 20 });
    await world.spend(id, 'va', 2);
    await world.handOff(id, 'va', 'vb');
    await world.spend(id, 'vb', 2);
    await world.handOff(id, 'vb', 'va');
    await world.spend(id, 'va', 1);
  }
}

async function pureFigures(): Promise<BenchFigure[]> {
  const store = new InMemoryEventStore();
  const world = new ChainWorld(store);
  await busyDay(world, CHAINS);
  const reads = new RedemptionReads(store);
  const keys = {
    broker: world.brokerKeys,
    vendorKeys: (v: string) => [
      { keyId: world.vendorSigner(v).keyId, publicKey: world.vendorSigner(v).publicKey, ownerId: v },
    ],
  };
  const histories = await Promise.all(
    Array.from(
      { length: CHAINS },
      async (_, i) => [`bench_${i}`, await reads.chainHistory(`bench_${i}`, world.brokerKeys)] as const,
    ),
  );
  const chains = new Map<string, ChainLedger>(histories.map(([id, h]) => [id, replayChain(id, h, keys)]));
  const items: RedemptionItem[] = histories.flatMap(([id]) => [
    { chainId: id, fromIndex: 1, toIndex: 2, proofPayword: world.chain(id).payword(2) },
    { chainId: id, fromIndex: 5, toIndex: 5, proofPayword: world.chain(id).payword(5) },
  ]);
  const batch = { batchId: 'b', vendorId: 'va', items };
  const verifyRate = measureOpsPerSecond(() => {
    const v = verifyBatch({ batch, chains, redeemed: new Map() });
    if (v.verdicts.length !== items.length || !v.verdicts.every((x) => x.ok))
      throw new Error('an item was refused');
  });
  let at = 0;
  const replayRate = measureOpsPerSecond(() => {
    // a night replays each chain once: nothing remembered from the loop's earlier turns
    forgetVerifiedSignatures();
    const [id, history] = histories[at]!;
    if (replayChain(id, history, keys).status !== 'issued') throw new Error('replay failed');
    at = (at + 1) % histories.length;
  });
  return [
    {
      name: 'redemption.verify-items',
      value: verifyRate * items.length,
      unit: 'items/s',
      description: `verifyBatch: ${items.length} items (1-2 coins: proof hashed down to the recorded word, tiling and overlap checks) over replayed chains`,
    },
    {
      name: 'redemption.replay-chain',
      value: replayRate,
      unit: 'chains/s',
      description: 'replayChain: touchstone signature, 3 spends hashed, 2 hand-off certificate signatures',
    },
  ];
}

/** A whole night: catch up, seal, verify from the chain streams, reserve, record, pay. */
async function nightFigure(
  name: string,
  store: EventStore | undefined,
  description: string,
): Promise<BenchFigure> {
  const f = await nightFixture(store ? { store } : {});
  try {
    await f.vendors('va', 'vb');
    await busyDay(f.world, CHAINS);
    await f.worker.projection.waitUntilCaughtUp(120_000);
    // The projection verified the day's events in this process just now; a real night comes
    // hours and many more events later: it verifies them again, not from memory.
    forgetVerifiedSignatures();
    const started = performance.now();
    const report = await f.worker.night.run('2026-03-10');
    const seconds = (performance.now() - started) / 1000;
    const items = report.outcomes.reduce((n, o) => n + o.accepted + o.rejected, 0);
    if (report.failures.length > 0 || items !== 3 * CHAINS)
      throw new Error(`night failed: ${JSON.stringify(report.failures)}`);
    return {
      name,
      value: items / seconds,
      unit: 'items/s',
      description: `${description}: ${items} items, 2 vendors, ${CHAINS} chains with hand-offs`,
    };
  } finally {
    await f.dispose();
  }
}

async function jetStreamNight(): Promise<BenchFigure[]> {
  const { JetStreamEventStore } = await import('#event-store');
  let store;
  try {
    const { benchStore } = await import('./bench-nats.js');
    store = await JetStreamEventStore.connect(
      benchStore(`BENCH_REDEMPTION_${process.pid}`, `bench.redemption${process.pid}.events`),
    );
  } catch {
    console.error('redemption bench: no NATS JetStream reachable, skipping the JetStream night');
    return [];
  }
  try {
    return [await nightFigure('redemption.night-jetstream', store, 'one night on JetStream, in-memory view')];
  } finally {
    await store.deleteStreams().catch(() => undefined);
    await store.close();
  }
}

export default async function redemptionBenchmarks(): Promise<BenchFigure[]> {
  return [
    ...(await pureFigures()),
    await nightFigure('redemption.night-in-memory', undefined, 'one night on the in-memory store'),
    ...(await jetStreamNight()),
  ];
}
