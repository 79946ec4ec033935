import { afterEach, describe, expect, it } from '@jest/globals';
import { InMemoryEventStore } from '#event-store';
import { redemptionLedgerStream, streams } from '#events';
import { FaultyStore, FlakyGateway } from '../../test/faults.js';
import { nightFixture, type NightFixture } from '../../test/night-fixture.js';
import { honestDay, streamTypes } from '../../test/scenarios.js';
import { InMemoryRedemptionView } from '../projection/in-memory-redemption-view.js';

const DAY = '2026-03-10';

describe('a redemption night that crashes half-way, then runs again', () => {
  let f: NightFixture;
  afterEach(() => f.dispose());

  const balances = async (): Promise<number[]> => [
    await f.balance('va'),
    await f.balance('vb'),
    await f.balance('vc'),
  ];

  it('pays exactly once after a crash between verification and payment', async () => {
    let gateway!: FlakyGateway;
    f = await nightFixture({ gateway: (bank) => (gateway = new FlakyGateway(bank)) });
    await f.vendors('va', 'vb', 'vc');
    await honestDay(f.world);
    gateway.failNextPayout('before');
    const first = await f.worker.night.run(DAY);
    expect(first.failures).toHaveLength(1);
    expect(await streamTypes(f.store, streams.redemption('va', DAY))).toEqual([
      'RedemptionBatchSealed',
      'RedemptionItemAccepted',
      'RedemptionItemAccepted',
    ]);
    expect(await balances()).toEqual([0, 30, 15]);
    await f.restart({ gateway });
    const second = await f.worker.night.run(DAY);
    expect(second.failures).toEqual([]);
    expect(second.outcomes.map((o) => [o.vendorId, o.status])).toEqual([['va', 'paid']]);
    expect(await balances()).toEqual([30, 30, 15]);
    expect(await streamTypes(f.store, streams.redemption('va', DAY))).toEqual([
      'RedemptionBatchSealed',
      'RedemptionItemAccepted',
      'RedemptionItemAccepted',
      'VendorPaid',
    ]);
  });

  it('pays exactly once when the bank moved the money but its answer was lost', async () => {
    let gateway!: FlakyGateway;
    f = await nightFixture({ gateway: (bank) => (gateway = new FlakyGateway(bank)) });
    await f.vendors('va', 'vb', 'vc');
    await honestDay(f.world);
    gateway.failNextPayout('after');
    expect((await f.worker.night.run(DAY)).failures).toHaveLength(1);
    expect(await balances()).toEqual([30, 30, 15]);
    await f.worker.night.run(DAY);
    await f.worker.night.run(DAY);
    expect(await balances()).toEqual([30, 30, 15]);
    expect((await f.bank.account('acct_va'))?.payments).toBe(1);
    const paid = (await f.store.readStream(streams.redemption('va', DAY))).filter(
      (e) => e.type === 'VendorPaid',
    );
    expect(paid).toHaveLength(1);
  });

  it('keeps the ranges it reserved when it crashed before recording the verdicts', async () => {
    const store = new FaultyStore(new InMemoryEventStore());
    f = await nightFixture({ store });
    await f.vendors('va', 'vb', 'vc');
    await honestDay(f.world);
    store.failAppendOnce(
      (stream, events) => stream.startsWith('redemption-va') && events[0]?.type === 'RedemptionItemAccepted',
    );
    expect((await f.worker.night.run(DAY)).failures).toHaveLength(1);
    expect(await streamTypes(f.store, redemptionLedgerStream('c1'))).toHaveLength(3);
    expect(await balances()).toEqual([0, 30, 15]);
    const again = await f.worker.night.run(DAY);
    expect(again.outcomes.map((o) => [o.vendorId, o.status, o.accepted, o.rejected])).toEqual([
      ['va', 'paid', 2, 0],
    ]);
    expect(await balances()).toEqual([30, 30, 15]);
    expect(await streamTypes(f.store, redemptionLedgerStream('c1'))).toHaveLength(3);
  });

  it('pays once when two workers run the same night at the same time', async () => {
    f = await nightFixture();
    await f.vendors('va', 'vb', 'vc');
    await honestDay(f.world);
    const first = f.worker;
    const second = await nightFixture({
      store: f.store,
      view: new InMemoryRedemptionView(),
      subscriptionId: 'other',
    });
    try {
      const reports = await Promise.all([first.night.run(DAY), second.worker.night.run(DAY)]);
      expect(reports.flatMap((r) => r.failures)).toEqual([]);
      expect(reports.flatMap((r) => r.sealed)).toHaveLength(3);
      expect(await balances()).toEqual([30, 30, 15]);
      const paid = (await f.store.readAll()).filter((e) => e.type === 'VendorPaid');
      expect(paid).toHaveLength(3);
    } finally {
      await second.dispose();
    }
  });
});
