import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { deterministicEventId, redemptionLedgerStream, streams } from '#events';
import { FlakyGateway } from '../test/faults.js';
import { intStack, type IntStack } from '../test/int-stack.js';
import { nightFixture, type NightFixture } from '../test/night-fixture.js';
import { eventfulNights, honestDay } from '../test/scenarios.js';
import { viewSnapshot } from '../test/view-snapshot.js';
import { InMemoryRedemptionView } from './projection/in-memory-redemption-view.js';
import { RedisRedemptionView } from './projection/redis-redemption-view.js';
import { RedemptionProjection } from './projection/redemption-projection.js';
import type { RedemptionView, ViewOp } from './projection/redemption-view.js';

const DAY = '2026-03-10';
const TZ = 'Pacific/Auckland';

/** The real Redis view; stops its projection (or fails) at its n-th commit, as a crash would. */
class InterruptedRedisView extends RedisRedemptionView {
  commits = 0;
  constructor(
    redis: IntStack['redis'],
    namespace: string,
    private readonly at: number,
    private readonly interrupt: () => void,
  ) {
    super(redis, namespace);
  }
  override async commit(ops: readonly ViewOp[], position: bigint, eventId?: string): Promise<void> {
    this.commits += 1;
    if (this.commits === this.at) this.interrupt();
    return super.commit(ops, position, eventId);
  }
}

describe('redemption against JetStream and Redis', () => {
  let stack: IntStack;
  let f: NightFixture;
  let gateway: FlakyGateway;

  beforeEach(async () => {
    stack = await intStack();
    f = await nightFixture({
      store: stack.store,
      view: new RedisRedemptionView(stack.redis, 'live'),
      subscriptionId: 'redemption-live',
      gateway: (bank) => (gateway = new FlakyGateway(bank)),
    });
    await f.vendors('va', 'vb', 'vc');
  });
  afterEach(async () => {
    await f.dispose();
    await stack.dispose();
  });

  const balances = async (): Promise<number[]> => [
    await f.balance('va'),
    await f.balance('vb'),
    await f.balance('vc'),
  ];

  it('runs an honest multi-vendor night with hand-offs, and a second run changes nothing', async () => {
    await honestDay(f.world);
    const report = await f.worker.night.run(DAY);
    expect(report.failures).toEqual([]);
    expect(report.outcomes.map((o) => [o.vendorId, o.status, o.amount])).toEqual([
      ['va', 'paid', 30],
      ['vb', 'paid', 30],
      ['vc', 'paid', 15],
    ]);
    expect(await balances()).toEqual([30, 30, 15]);
    const events = (await stack.store.readAll()).length;
    const again = await f.worker.night.run(DAY);
    expect(again).toMatchObject({ sealed: [], outcomes: [], failures: [] });
    expect((await stack.store.readAll()).length).toBe(events);
    expect(await balances()).toEqual([30, 30, 15]);
  });

  it('pays nothing on a reservation and a verdict it did not sign, reports them once, and stays idempotent', async () => {
    await honestDay(f.world);
    const stream = streams.redemption('va', DAY);
    const at = f.clock.now().toISOString();
    const metadata = { correlationId: 'forger', causationId: 'forger', actor: 'redemption' };
    const item = { chainId: 'c1', fromIndex: 1, toIndex: 20, proofPayword: f.world.chain('c1').payword(20) };
    const forge = (s: string, type: string, data: object, n: number) =>
      stack.store.appendToStream(s, [
        { id: deterministicEventId('forger', n), type, version: 1, data, metadata },
      ]);
    await forge(
      stream,
      'RedemptionBatchSealed',
      { batchId: 'forged', vendorId: 'va', businessDay: DAY, items: [item], source: 'vendor', at },
      1,
    );
    await forge(
      redemptionLedgerStream('c1'),
      'RangeRedeemed',
      { chainId: 'c1', vendorId: 'va', batchId: 'forged', item: 0, fromIndex: 1, toIndex: 20, at },
      2,
    );
    await forge(
      stream,
      'RedemptionItemAccepted',
      {
        batchId: 'forged',
        item: 0,
        chainId: 'c1',
        fromIndex: 1,
        toIndex: 20,
        amount: 100_000,
        currency: 'NZD',
        at,
      },
      3,
    );

    const report = await f.worker.night.run(DAY);
    expect(report.failures).toEqual([]);
    expect(await balances()).toEqual([30, 30, 15]);
    const reasons = async (): Promise<string[]> =>
      (await stack.store.readStream(stream))
        .filter((e) => e.type === 'RedemptionForgeryDetected')
        .map((e) => (e.data as { reason: string }).reason)
        .sort();
    expect(await reasons()).toEqual(['REDEMPTION.FORGED_RESERVATION', 'REDEMPTION.FORGED_VERDICT']);
    await f.worker.night.run(DAY);
    expect(await reasons()).toHaveLength(2);
    expect(await balances()).toEqual([30, 30, 15]);
  });

  it('pays every honest coin once after a crash between verification and payment, in a new process', async () => {
    await honestDay(f.world);
    gateway.failNextPayout('before');
    expect((await f.worker.night.run(DAY)).failures).toHaveLength(1);
    expect(await balances()).toEqual([0, 30, 15]);
    const other = await stack.connectAgain();
    const second = await nightFixture({
      store: other,
      view: new RedisRedemptionView(stack.redis, 'live'),
      subscriptionId: 'redemption-live',
    });
    try {
      const report = await second.worker.night.run(DAY);
      expect(report.outcomes.map((o) => [o.vendorId, o.status])).toEqual([['va', 'paid']]);
      expect(await balances()).toEqual([30, 30, 15]);
      const va = await stack.store.readStream(streams.redemption('va', DAY));
      expect(va.filter((e) => e.type === 'VendorPaid')).toHaveLength(1);
    } finally {
      await second.dispose();
    }
  });

  it('rebuilt from zero, a new projection holds the same batches and balances as the live one', async () => {
    await honestDay(f.world);
    await f.worker.night.run(DAY);
    // The next day: more spends, one more hand-off, nothing sealed yet.
    f.world.at('2026-03-11T02:00:00.000Z');
    await f.world.spend('c1', 'va', 4);
    await f.world.handOff('c1', 'va', 'vc');
    await f.world.spend('c1', 'vc', 2);
    await f.world.spend('c2', 'vc', 1);
    await f.worker.projection.waitUntilCaughtUp();
    const live = f.worker;
    const batchIds = (await stack.store.readAll())
      .filter((e) => e.type === 'RedemptionBatchSealed')
      .map((e) => (e.data as { batchId: string }).batchId);
    expect(batchIds).toHaveLength(3);

    const rebuilt = await nightFixture({
      store: stack.store,
      view: new RedisRedemptionView(stack.redis, 'rebuilt'),
      subscriptionId: 'redemption-rebuilt',
    });
    try {
      await rebuilt.worker.projection.waitUntilCaughtUp();
      const days = [DAY, '2026-03-11'];
      const snapshot = await viewSnapshot(rebuilt.worker.projection.view, days, batchIds);
      expect(snapshot).toEqual(await viewSnapshot(live.projection.view, days, batchIds));
      expect(await rebuilt.worker.sealer.preview('2026-03-11')).toEqual(
        await live.sealer.preview('2026-03-11'),
      );
      expect((await live.sealer.preview('2026-03-11')).map((b) => [b.vendorId, b.amount])).toEqual([
        ['va', 20],
        ['vc', 15],
      ]);
      expect(Object.fromEntries(await live.projection.view.earnedOn(DAY))).toEqual({
        va: { NZD: 30 },
        vb: { NZD: 30 },
        vc: { NZD: 15 },
      });
    } finally {
      await rebuilt.dispose();
    }
  });

  it.each([1, 2])(
    'a projection stopped mid-stream resumes from its Redis checkpoint: nothing skipped or counted twice (batches of %i)',
    async (maxBatch) => {
      await honestDay(f.world);
      await f.world.issue('c5', { coinValue: 7 });
      for (let i = 0; i < 8; i++) await f.world.spend('c5', 'vb', 1);
      const handle: { p?: RedemptionProjection } = {};
      // 17 events to fold: the 7th commit (at most 14 of them) is mid-stream.
      const view = new InterruptedRedisView(stack.redis, 'resumed', 7, () => void handle.p?.stop());
      const options = { subscriptionId: 'redemption-resumed', timeZone: TZ, maxBatch };
      const first = (handle.p = new RedemptionProjection(stack.store, view, options));
      first.start();
      await first.waitUntilCaughtUp(20_000).catch(() => undefined);
      const stoppedAt = await view.position();
      expect(stoppedAt! < (await stack.store.readAll()).at(-1)!.position).toBe(true);

      const resumed = new RedemptionProjection(await stack.connectAgain(), view, options);
      resumed.start();
      try {
        await resumed.waitUntilCaughtUp(20_000);
        await f.worker.projection.waitUntilCaughtUp();
        expect(await viewSnapshot(view, [DAY])).toEqual(await viewSnapshot(f.worker.projection.view, [DAY]));
        expect((await view.earnedOn(DAY)).get('vb')).toEqual({ NZD: 30 + 56 });
      } finally {
        await resumed.stop();
      }
    },
  );

  it('folds into Redis in batches exactly as one event at a time, and as the in-memory model does', async () => {
    const batchIds = await eventfulNights(f);
    await f.worker.projection.waitUntilCaughtUp();
    const days = [DAY, '2026-03-11', '2026-03-12'];
    const fold = async (view: RedemptionView, subscriptionId: string, maxBatch: number) => {
      const p = new RedemptionProjection(stack.store, view, { subscriptionId, timeZone: TZ, maxBatch });
      p.start();
      try {
        await p.waitUntilCaughtUp(20_000);
      } finally {
        await p.stop();
      }
      return { snapshot: await viewSnapshot(view, days, batchIds), at: await view.position() };
    };
    const reference = await fold(new InMemoryRedemptionView(), 'reference', 1);
    expect(await fold(new RedisRedemptionView(stack.redis, 'one'), 'redemption-one', 1)).toEqual(reference);
    expect(await fold(new RedisRedemptionView(stack.redis, 'many'), 'redemption-many', 256)).toEqual(
      reference,
    );
    expect(await fold(new RedisRedemptionView(stack.redis, 'few'), 'redemption-few', 3)).toEqual(reference);
    // The live one folded in batches as the nights ran.
    expect(await viewSnapshot(f.worker.projection.view, days, batchIds)).toEqual(reference.snapshot);
  });
});
