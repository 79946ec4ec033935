import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { InMemoryEventStore } from '#event-store';
import { ChainWorld } from '../../test/chain-world.js';
import { nightFixture } from '../../test/night-fixture.js';
import { eventfulNights, honestDay } from '../../test/scenarios.js';
import { viewSnapshot } from '../../test/view-snapshot.js';
import { InMemoryRedemptionView } from './in-memory-redemption-view.js';
import { RedemptionProjection } from './redemption-projection.js';
import type { RedemptionView, ViewOp } from './redemption-view.js';

const TZ = 'Pacific/Auckland';
const DAYS = ['2026-03-10', '2026-03-11'];

/** A real in-memory view whose commit can fail once, or stop its projection, at the n-th event. */
class InterruptedView extends InMemoryRedemptionView {
  commits = 0;
  constructor(
    private readonly at: number,
    private readonly interrupt: () => void,
  ) {
    super();
  }
  override async commit(ops: readonly ViewOp[], position: bigint, eventId?: string): Promise<void> {
    this.commits += 1;
    if (this.commits === this.at) this.interrupt();
    return super.commit(ops, position, eventId);
  }
}

async function busyDays(world: ChainWorld): Promise<void> {
  await honestDay(world);
  world.at('2026-03-11T02:00:00.000Z');
  for (const id of ['d1', 'd2', 'd3']) {
    await world.issue(id, { coinValue: 3 });
    for (let i = 0; i < 6; i++) await world.spend(id, 'va', 1 + i);
  }
  await world.handOff('d3', 'va', 'vc');
  await world.spend('d3', 'vc', 4);
}

describe('the redemption projection', () => {
  let store: InMemoryEventStore;
  let world: ChainWorld;
  const running: RedemptionProjection[] = [];
  const projection = (
    view: RedemptionView,
    subscriptionId = 'p',
    maxBatch?: number,
  ): RedemptionProjection => {
    const p = new RedemptionProjection(store, view, {
      subscriptionId,
      timeZone: TZ,
      restartDelayMs: 10,
      ...(maxBatch === undefined ? {} : { maxBatch }),
    });
    running.push(p);
    p.start();
    return p;
  };

  beforeEach(async () => {
    store = new InMemoryEventStore();
    world = new ChainWorld(store);
    await busyDays(world);
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((p) => p.stop()));
  });

  it('builds per vendor and business day the pending spends and what each vendor earned', async () => {
    const view = new InMemoryRedemptionView();
    await projection(view).waitUntilCaughtUp();
    expect(await view.pendingVendorDays()).toEqual([
      { businessDay: '2026-03-10', vendorId: 'va' },
      { businessDay: '2026-03-10', vendorId: 'vb' },
      { businessDay: '2026-03-10', vendorId: 'vc' },
      { businessDay: '2026-03-11', vendorId: 'va' },
      { businessDay: '2026-03-11', vendorId: 'vc' },
    ]);
    expect(Object.fromEntries(await view.earnedOn('2026-03-11'))).toEqual({
      va: { NZD: 3 * 21 * 3 },
      vc: { NZD: 12 },
    });
    expect(
      (await view.pendingChains('va', '2026-03-10')).get('c1')!.map((s) => [s.fromIndex, s.toIndex]),
    ).toEqual([
      [1, 3],
      [4, 5],
      [10, 10],
    ]);
  });

  // The store hands over its whole backlog at once: small batches make the interruption fall mid-stream.
  describe.each([
    { batches: 'one event at a time', maxBatch: 1, stopAt: 9, failAt: 12 },
    { batches: 'in batches of 3', maxBatch: 3, stopAt: 4, failAt: 5 },
  ])('folding $batches', ({ maxBatch, stopAt, failAt }) => {
    it('resumes after a stop mid-stream from its checkpoint: nothing skipped, nothing counted twice', async () => {
      const handle: { first?: RedemptionProjection } = {};
      const view = new InterruptedView(stopAt, () => void handle.first?.stop());
      const first = (handle.first = projection(view, 'p', maxBatch));
      await first.waitUntilCaughtUp().catch(() => undefined);
      const stoppedAt = await view.position();
      expect(stoppedAt).toBeDefined();
      expect(stoppedAt! < (await store.readAll()).at(-1)!.position).toBe(true);
      await projection(view, 'p', maxBatch).waitUntilCaughtUp();

      const fresh = new InMemoryRedemptionView();
      await projection(fresh, 'fresh').waitUntilCaughtUp();
      expect(await viewSnapshot(view, DAYS)).toEqual(await viewSnapshot(fresh, DAYS));
    });

    it('restarts itself after a failed commit and applies that event exactly once', async () => {
      const view = new InterruptedView(failAt, () => {
        throw new Error('redis went away');
      });
      const p = projection(view, 'p', maxBatch);
      await p.waitUntilCaughtUp();
      const fresh = new InMemoryRedemptionView();
      await projection(fresh, 'fresh').waitUntilCaughtUp();
      expect(await viewSnapshot(view, DAYS)).toEqual(await viewSnapshot(fresh, DAYS));
      expect(view.commits).toBeGreaterThan(failAt);
    });
  });

  it('waits for events appended after it caught up before answering again', async () => {
    const view = new InMemoryRedemptionView();
    const p = projection(view);
    await p.waitUntilCaughtUp();
    world.at('2026-03-11T03:00:00.000Z');
    await world.spend('d1', 'va', 2);
    await p.waitUntilCaughtUp();
    expect((await view.earnedOn('2026-03-11')).get('va')).toEqual({ NZD: 3 * 21 * 3 + 2 * 3 });
  });

  it('gives the same view folding in batches of any size as one event at a time, across seals and verdicts', async () => {
    const f = await nightFixture();
    try {
      await f.vendors('va', 'vb', 'vc');
      const batchIds = await eventfulNights(f);
      await f.worker.projection.waitUntilCaughtUp();
      store = f.store as InMemoryEventStore;
      const days = ['2026-03-10', '2026-03-11', '2026-03-12'];
      const fold = async (maxBatch: number) => {
        const view = new InterruptedView(0, () => undefined); // never interrupted: counts commits
        const p = projection(view, `fold-${maxBatch}`, maxBatch);
        await p.waitUntilCaughtUp();
        await p.stop();
        return {
          snapshot: await viewSnapshot(view, days, batchIds),
          at: await view.position(),
          commits: view.commits,
        };
      };
      const one = await fold(1);
      const model = one.snapshot as { pending: unknown[]; open: unknown[]; batches: unknown[] };
      // Not a trivial model: pending spends, unsettled batches, every seal known.
      expect(model.pending.length).toBeGreaterThan(0);
      expect(model.open.length).toBeGreaterThan(0);
      expect(model.batches).not.toContain(undefined);
      for (const maxBatch of [2, 3, 5, 8, 64, 1_000]) {
        const batched = await fold(maxBatch);
        expect(batched.snapshot).toEqual(one.snapshot);
        expect(batched.at).toBe(one.at);
        expect(batched.commits).toBeLessThan(one.commits);
      }
      // The worker's own projection (default batches, folding while the nights ran) agrees.
      expect(await viewSnapshot(f.worker.projection.view, days, batchIds)).toEqual(one.snapshot);
    } finally {
      await f.dispose();
    }
  });
});
