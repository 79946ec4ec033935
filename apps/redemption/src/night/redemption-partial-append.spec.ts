import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { redemptionLedgerStream, type RedemptionItem } from '#events';
import { EventByEventStore } from '../../test/faults.js';
import { nightFixture, type NightFixture } from '../../test/night-fixture.js';
import { signVendorClaim } from '../domain/vendor-claim.js';

const DAY = '2026-03-10';
const meta = { correlationId: 'race', causationId: 'race', actor: 'redemption' };

// Appends of several events that a store (JetStream 2.9) does not make atomic: another writer may
// get in between them, and a crash may cut them short.
describe('redemption on a store that appends a batch event by event', () => {
  let f: NightFixture;
  let store: EventByEventStore;

  beforeEach(async () => {
    store = new EventByEventStore();
    f = await nightFixture({ store });
    await f.vendors('va');
  });
  afterEach(() => f.dispose());

  const item = (fromIndex: number, toIndex: number, chainId = 'race1'): RedemptionItem => ({
    chainId,
    fromIndex,
    toIndex,
    proofPayword: f.world.chain(chainId).payword(toIndex),
  });

  const claim = (claimId: string, items: RedemptionItem[]) =>
    f.worker.claims.submit(
      signVendorClaim(
        { vendorId: 'va', businessDay: DAY, claimId, items, vendorKeyId: f.world.vendorSigner('va').keyId },
        f.world.vendorSigner('va'),
      ),
    );

  it('never lets two batches redeem the same positions, however the appends interleave', async () => {
    await f.world.issue('race1');
    await f.world.spend('race1', 'va', 2);
    await f.world.spend('race1', 'va', 2);
    const x = await claim('x', [item(1, 2), item(3, 4)]);
    const y = await claim('y', [item(3, 4)]);
    // Y is verified and reserved just after X reserved its first range, before its second.
    store.interleave(redemptionLedgerStream('race1'), async () => {
      await f.worker.redeemer.redeem(y.stream, y.batchId, meta);
    });
    await f.worker.redeemer.redeem(x.stream, x.batchId, meta);

    const ranges = (await store.readStream(redemptionLedgerStream('race1'))).map((e) => {
      const d = e.data as { fromIndex: number; toIndex: number };
      return `${d.fromIndex}..${d.toIndex}`;
    });
    expect([...ranges].sort()).toEqual(['1..2', '3..4']);
    // Four coins of 5 were spent: four coins are paid, once.
    expect(await f.balance('va')).toBe(20);
  });

  it('finishes recording the verdicts a crash cut short, then pays for every accepted item', async () => {
    await f.world.issue('part1');
    await f.world.issue('part2');
    await f.world.spend('part1', 'va', 2);
    await f.world.spend('part2', 'va', 3);
    const x = await claim('x', [item(1, 2, 'part1'), item(1, 3, 'part2')]);
    store.crashAfterFirstEvent(
      (stream, events) => stream === x.stream && events[0]?.type === 'RedemptionItemAccepted',
    );
    await expect(f.worker.redeemer.redeem(x.stream, x.batchId, meta)).rejects.toThrow(/crash/);
    const again = await f.worker.redeemer.redeem(x.stream, x.batchId, meta);
    expect(again).toMatchObject({ status: 'paid', accepted: 2, rejected: 0, amount: 25 });
    expect(await f.balance('va')).toBe(25);
    const verdicts = (await store.readStream(x.stream)).filter((e) => e.type === 'RedemptionItemAccepted');
    expect(verdicts).toHaveLength(2);
  });
});
