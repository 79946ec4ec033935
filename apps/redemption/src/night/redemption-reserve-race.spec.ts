import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { InMemoryEventStore, type AppendOptions, type AppendResult, type NewEvent } from '#event-store';
import { redemptionLedgerStream, type RedemptionItem } from '#events';
import { nightFixture, type NightFixture } from '../../test/night-fixture.js';
import { signVendorClaim } from '../domain/vendor-claim.js';

/**
 * A store that appends a batch one event at a time, as the JetStream adapter does on servers
 * without atomic batches: the first event carries the expected revision, the rest follow whatever
 * another writer appended in between. `between` runs once, after the first event of a matching
 * append, to be that other writer.
 */
class EventByEventStore extends InMemoryEventStore {
  private between: { stream: string; run: () => Promise<void> } | undefined;

  interleave(stream: string, run: () => Promise<void>): void {
    this.between = { stream, run };
  }

  override async appendToStream(
    stream: string,
    events: readonly NewEvent[],
    options?: AppendOptions,
  ): Promise<AppendResult> {
    let result = await super.appendToStream(stream, events.slice(0, 1), options);
    const between = this.between;
    if (between?.stream === stream) {
      this.between = undefined;
      await between.run();
    }
    for (const event of events.slice(1)) result = await super.appendToStream(stream, [event]);
    return result;
  }
}

const DAY = '2026-03-10';
const meta = { correlationId: 'race', causationId: 'race', actor: 'redemption' };

describe('reserving redeemed ranges while another batch reserves on the same chain', () => {
  let f: NightFixture;
  let store: EventByEventStore;

  beforeEach(async () => {
    store = new EventByEventStore();
    f = await nightFixture({ store });
    await f.vendors('va');
  });
  afterEach(() => f.dispose());

  const item = (fromIndex: number, toIndex: number): RedemptionItem => ({
    chainId: 'race1',
    fromIndex,
    toIndex,
    proofPayword: f.world.chain('race1').payword(toIndex),
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
});
