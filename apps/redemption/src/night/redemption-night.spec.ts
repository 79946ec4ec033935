import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { redemptionLedgerStream, streams } from '#events';
import { nightFixture, type NightFixture } from '../../test/night-fixture.js';
import { streamTypes, honestDay } from '../../test/scenarios.js';

describe('a redemption night (in-memory store, simulated bank)', () => {
  let f: NightFixture;

  beforeEach(async () => {
    f = await nightFixture();
    await f.vendors('va', 'vb', 'vc');
  });
  afterEach(() => f.dispose());

  it('seals per vendor and day, merges contiguous spends, verifies, and pays every honest coin once', async () => {
    await honestDay(f.world);
    const report = await f.worker.night.run();
    expect(report.businessDay).toBe('2026-03-10');
    expect(report.failures).toEqual([]);
    expect(report.sealed.map((s) => [s.vendorId, s.items])).toEqual([
      ['va', 2],
      ['vb', 2],
      ['vc', 1],
    ]);
    expect(report.outcomes.map((o) => [o.vendorId, o.status, o.accepted, o.rejected, o.amount])).toEqual([
      ['va', 'paid', 2, 0, 30],
      ['vb', 'paid', 2, 0, 30],
      ['vc', 'paid', 1, 0, 15],
    ]);
    expect([await f.balance('va'), await f.balance('vb'), await f.balance('vc')]).toEqual([30, 30, 15]);
    const sealed = (await f.store.readStream(streams.redemption('va', '2026-03-10')))[0]!.data as {
      items: unknown[];
    };
    expect(sealed.items).toEqual([
      { chainId: 'c1', fromIndex: 1, toIndex: 5, proofPayword: f.world.chain('c1').payword(5) },
      { chainId: 'c1', fromIndex: 10, toIndex: 10, proofPayword: f.world.chain('c1').payword(10) },
    ]);
    expect(await streamTypes(f.store, redemptionLedgerStream('c1'))).toEqual([
      'RangeRedeemed',
      'RangeRedeemed',
      'RangeRedeemed',
    ]);
  });

  it('changes nothing when the night runs again', async () => {
    await honestDay(f.world);
    await f.worker.night.run();
    const before = await f.store.readAll();
    const again = await f.worker.night.run('2026-03-10');
    expect(again.sealed).toEqual([]);
    expect(again.outcomes).toEqual([]);
    expect(await f.store.readAll()).toHaveLength(before.length);
    expect([await f.balance('va'), await f.balance('vb'), await f.balance('vc')]).toEqual([30, 30, 15]);
  });

  it('leaves later days for their own night, and seals spends that arrive after the cut-off the next night', async () => {
    await honestDay(f.world);
    await f.world.issue('c3', { coinValue: 2 });
    f.world.at('2026-03-10T20:00:00.000Z'); // 09:00 on the 11th in Auckland
    await f.world.spend('c3', 'vc', 10);
    await f.worker.night.run();
    expect(await f.balance('vc')).toBe(15);
    // A late spend for the 10th (an offline vendor's clock), recorded after the 10th was sealed.
    f.world.at('2026-03-10T05:00:00.000Z');
    await f.world.issue('c4');
    await f.world.spend('c4', 'vc', 2);
    f.clock.advance(24 * 3600_000);
    const next = await f.worker.night.run();
    expect(next.businessDay).toBe('2026-03-11');
    expect(next.sealed.map((s) => [s.vendorId, s.businessDay, s.items])).toEqual([
      ['vc', '2026-03-10', 1],
      ['vc', '2026-03-11', 1],
    ]);
    expect(await f.balance('vc')).toBe(15 + 10 + 20);
  });

  it('ends cleanly when nobody spent anything: no batch, nothing paid', async () => {
    await f.world.issue('idle');
    const report = await f.worker.night.run();
    expect(report).toMatchObject({ sealed: [], outcomes: [], failures: [] });
    expect((await f.store.readAll()).some((e) => e.streamName.startsWith('redemption-'))).toBe(false);
  });
});
