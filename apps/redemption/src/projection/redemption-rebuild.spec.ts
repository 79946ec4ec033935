import { afterEach, describe, expect, it } from '@jest/globals';
import { nightFixture, type NightFixture } from '../../test/night-fixture.js';
import { honestDay } from '../../test/scenarios.js';
import { InMemoryRedemptionView } from './in-memory-redemption-view.js';
import {
  type GlobalPosition,
  InMemoryEventStore,
  type ReadAllOptions,
  type RecordedEvent,
} from '#event-store';
import type { BatchProgress, ViewOp } from './redemption-view.js';

/** A view whose records of some batches were evicted (the rest, generation marker included, survived). */
class EvictingView extends InMemoryRedemptionView {
  readonly evicted = new Set<string>();

  override async batch(batchId: string): Promise<BatchProgress | undefined> {
    return this.evicted.has(batchId) ? undefined : super.batch(batchId);
  }

  override async reset(id: string): Promise<void> {
    this.evicted.clear();
    await super.reset(id);
  }
}

/** A store whose events up to `expiredUpTo` have aged out (a stream with a max age). */
class ExpiringStore extends InMemoryEventStore {
  expiredUpTo = 0n;

  override async readAll(options?: ReadAllOptions): Promise<RecordedEvent[]> {
    const after =
      options?.after === undefined || options.after < this.expiredUpTo ? this.expiredUpTo : options.after;
    return super.readAll({ ...options, after });
  }
}

/** A view whose commits wait while `gate` is closed: a projection that cannot keep up. */
class HeldView extends InMemoryRedemptionView {
  gate: Promise<void> = Promise.resolve();

  override async commit(ops: readonly ViewOp[], position: GlobalPosition, eventId?: string): Promise<void> {
    await this.gate;
    await super.commit(ops, position, eventId);
  }
}

/** A view that folded an honest day from `store` (a new one by default); its worker is gone. */
async function keptView(store?: InMemoryEventStore): Promise<InMemoryRedemptionView> {
  const view = new InMemoryRedemptionView();
  const before = await nightFixture({ view, ...(store ? { store } : {}) });
  await before.vendors('va', 'vb', 'vc');
  await honestDay(before.world);
  await before.worker.projection.waitUntilCaughtUp();
  await before.dispose();
  return view;
}

describe('a redemption read model that loses its storage', () => {
  let f: NightFixture;
  afterEach(() => f.dispose());

  it('notices the lost generation marker, rebuilds from the store, and the next night pays what was sold, once', async () => {
    const view = new InMemoryRedemptionView();
    f = await nightFixture({ view });
    await f.vendors('va', 'vb', 'vc');
    await honestDay(f.world);
    await f.worker.night.run();
    expect([await f.balance('va'), await f.balance('vb'), await f.balance('vc')]).toEqual([30, 30, 15]);

    // The next day va sells 4 coins of a new chain; then Redis is flushed under the running worker.
    f.world.at('2026-03-11T01:00:00.000Z');
    await f.world.issue('c3');
    await f.world.spend('c3', 'va', 4);
    await f.worker.projection.waitUntilCaughtUp();
    view.lose();
    // More events arrive: the projection must not write its checkpoint into the emptied store.
    await f.world.issue('c4');
    await f.worker.projection.waitUntilCaughtUp();

    f.clock.advance(24 * 3600_000);
    const report = await f.worker.night.run();
    expect(report.businessDay).toBe('2026-03-11');
    expect(report.failures).toEqual([]);
    expect(report.sealed.map((s) => [s.vendorId, s.businessDay, s.items])).toEqual([['va', '2026-03-11', 1]]);
    // va is paid for the 11th (4 coins × 5); nobody is paid for the 10th again.
    expect([await f.balance('va'), await f.balance('vb'), await f.balance('vc')]).toEqual([50, 30, 15]);
    expect(f.worker.projection.rebuildCount()).toBeGreaterThanOrEqual(1);

    const again = await f.worker.night.run();
    expect(again).toMatchObject({ sealed: [], outcomes: [], failures: [] });
    expect([await f.balance('va'), await f.balance('vb'), await f.balance('vc')]).toEqual([50, 30, 15]);
  });

  it('rebuilds a view kept across a new event store instead of skipping the new log up to its checkpoint', async () => {
    // The store was lost and set up again; Redis kept the view, checkpoint and marker included.
    const view = await keptView();
    f = await nightFixture({ view });
    await f.vendors('va');
    await f.world.issue('c9');
    await f.world.spend('c9', 'va', 2);
    await f.worker.projection.waitUntilCaughtUp();
    expect(f.logLines.join('\n')).toMatch(/built from another log/);
    expect(f.worker.projection.rebuildCount()).toBe(1);
    // What the view holds is the new log's: va's two coins, nothing of the old day.
    expect((await view.pendingVendorDays()).map((d) => d.vendorId)).toEqual(['va']);
  });

  it('rebuilds a view kept across a new event store that grew past its checkpoint while no worker ran', async () => {
    const view = await keptView();
    const checkpoint = (await view.position())!;
    // The store set up again, and another day written to it, longer than the old log, before the
    // worker that kept its view comes back.
    const store = new InMemoryEventStore();
    const filler = await nightFixture({ store, view: new InMemoryRedemptionView() });
    await filler.vendors('vc');
    filler.world.at('2026-03-10T02:00:00.000Z');
    for (let n = 0; (await store.readAll({ after: checkpoint, maxCount: 1 })).length === 0; n++) {
      await filler.world.issue(`n${n}`);
      await filler.world.spend(`n${n}`, 'vc', 2);
    }
    await filler.dispose();

    f = await nightFixture({ store, view });
    await f.worker.projection.waitUntilCaughtUp();
    expect(f.logLines.join('\n')).toMatch(/holds another event at \d+ than the view folded there/);
    expect(f.worker.projection.rebuildCount()).toBe(1);
    // What the view holds is the new log's alone: vc's spends, nothing of va's and vb's old day.
    expect((await view.pendingVendorDays()).map((d) => d.vendorId)).toEqual(['vc']);
  });

  it('adopts its view over a log whose old events expired (EVENT_STORE_MAX_AGE_MS), the checkpoint’s among them', async () => {
    const store = new ExpiringStore();
    const view = await keptView(store);
    // Everything up to the view's checkpoint ages out; the log goes on after it.
    store.expiredUpTo = (await view.position())!;
    f = await nightFixture({ store, view });
    await f.world.issue('c9');
    await f.world.spend('c9', 'va', 2);
    await f.worker.projection.waitUntilCaughtUp();
    expect(f.logLines.join('\n')).not.toMatch(/rebuilding from zero/);
    expect((await view.pendingVendorDays()).map((d) => d.vendorId)).toEqual(['va', 'vb', 'vc']);
  });

  it('rebuilds on its own, without a night, when the marker goes (a timer checks it)', async () => {
    const view = new InMemoryRedemptionView();
    f = await nightFixture({ view });
    await f.vendors('va', 'vb', 'vc');
    await honestDay(f.world);
    await f.worker.projection.waitUntilCaughtUp();
    view.lose();
    expect(await f.worker.projection.verify()).toBe(true);
    await f.worker.projection.waitUntilCaughtUp();
    expect((await view.pendingVendorDays()).map((d) => d.vendorId)).toEqual(['va', 'vb', 'vc']);
    expect(await view.generation()).toBeDefined();
    expect(await f.worker.projection.verify()).toBe(false);
  });

  it('does not skip a vendor whose batch stream holds a seal the model lost: the night rebuilds and seals', async () => {
    const view = new EvictingView();
    f = await nightFixture({ view });
    await f.vendors('va', 'vb', 'vc');
    await honestDay(f.world);
    const first = await f.worker.night.run();
    expect(await f.balance('va')).toBe(30);
    // A late spend at va for the 10th, then the model loses its record of va's first seal.
    f.world.at('2026-03-10T05:00:00.000Z');
    await f.world.issue('c5');
    await f.world.spend('c5', 'va', 2);
    for (const b of first.sealed.filter((s) => s.vendorId === 'va')) view.evicted.add(b.batchId);

    const report = await f.worker.night.run('2026-03-10');
    expect(report.failures).toEqual([]);
    expect(report.sealed.map((s) => [s.vendorId, s.items])).toEqual([['va', 1]]);
    expect([await f.balance('va'), await f.balance('vb'), await f.balance('vc')]).toEqual([40, 30, 15]);
  });

  it('tells readiness when it is stopped, replaying or behind, and nothing once caught up', async () => {
    const view = new HeldView();
    f = await nightFixture({ view });
    await f.vendors('va', 'vb', 'vc');
    await honestDay(f.world);
    await f.worker.projection.waitUntilCaughtUp();
    for (let i = 0; i < 100 && (await f.worker.projection.readinessProblem()) !== undefined; i++)
      await new Promise((r) => setTimeout(r, 10));
    expect(await f.worker.projection.readinessProblem()).toBeUndefined();
    // Behind: the log moves on while the model cannot commit, for longer than allowed.
    let release: () => void = () => undefined;
    view.gate = new Promise((resolve) => {
      release = resolve;
    });
    await f.world.issue('c9');
    expect(await f.worker.projection.readinessProblem(Date.now() + 10 * 60_000)).toMatch(/behind/);
    release();
    await f.worker.projection.waitUntilCaughtUp();
    await f.worker.projection.stop();
    expect(await f.worker.projection.readinessProblem()).toMatch(/stopped/);
  });
});
