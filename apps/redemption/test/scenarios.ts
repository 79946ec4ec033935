import type { EventStore } from '#event-store';
import { deterministicEventId, streams, toNewEvent, type RedemptionItem } from '#events';
import { signVendorClaim } from '../src/domain/vendor-claim.js';
import type { ChainWorld } from './chain-world.js';
import type { NightFixture } from './night-fixture.js';

/**
 * An honest business day (2026-03-10 in Auckland) for three vendors, 5 cents a coin:
 * c1: va 1..3 and 4..5, hand-off va→vb, vb 6..9, hand-off vb→va, va 10..10;
 * c2: vb 1..2, vc claims it (vb did not answer), vc 3..5.
 * Owed: va 6 coins (30), vb 6 (30), vc 3 (15).
 */
export async function honestDay(world: ChainWorld): Promise<void> {
  world.at('2026-03-10T01:00:00.000Z');
  await world.issue('c1');
  await world.spend('c1', 'va', 3);
  await world.spend('c1', 'va', 2);
  await world.handOff('c1', 'va', 'vb');
  await world.spend('c1', 'vb', 4);
  await world.handOff('c1', 'vb', 'va');
  await world.spend('c1', 'va', 1);
  await world.issue('c2');
  await world.spend('c2', 'vb', 2);
  await world.claim('c2', 'vb', 'vc');
  await world.spend('c2', 'vc', 3);
}

export async function streamTypes(store: EventStore, stream: string): Promise<string[]> {
  return (await store.readStream(stream)).map((e) => e.type);
}

/**
 * Everything the redemption projection folds, over two nights (run on `f`'s worker): spends with
 * hand-offs and a claim, a spend of a chain never issued and one whose time does not parse, a
 * vendor's claim with rejected items, broker seals with verdicts and payouts, late spends for a
 * sealed day (after its seal), a second night, and at the end spends and a claim left unsealed
 * and unverified. Batch ids of every seal are returned.
 */
export async function eventfulNights(f: NightFixture): Promise<string[]> {
  const { world } = f;
  const claim = async (vendorId: string, claimId: string, items: RedemptionItem[], day: string) => {
    const claim = {
      vendorId,
      businessDay: day,
      claimId,
      items,
      vendorKeyId: world.vendorSigner(vendorId).keyId,
    };
    await f.worker.claims.submit(signVendorClaim(claim, world.vendorSigner(vendorId)));
  };
  const stray = async (chainId: string, at: string): Promise<void> => {
    const spent = {
      type: 'CoinsSpent',
      version: 1,
      data: {
        chainId,
        vendorId: 'va',
        fromIndex: 1,
        toIndex: 2,
        payword: 'ab'.repeat(32),
        receiptId: `r_${chainId}`,
        at,
      },
    } as const;
    const meta = { correlationId: chainId, causationId: chainId, actor: 'test' };
    await f.store.appendToStream(streams.chain(chainId), [
      toNewEvent(spent, meta, deterministicEventId(chainId)),
    ]);
  };

  await honestDay(world);
  await world.issue('c3', { coinValue: 2 });
  await world.spend('c3', 'va', 2);
  await world.spend('c3', 'va', 3);
  await stray('ghost', '2026-03-10T02:00:00.000Z');
  await stray('timeless', 'not a time');
  const c1 = world.chain('c1');
  await claim(
    'va',
    'mixed',
    [
      { chainId: 'c1', fromIndex: 1, toIndex: 5, proofPayword: c1.payword(5) },
      { chainId: 'c1', fromIndex: 50, toIndex: 52, proofPayword: c1.payword(52) },
      { chainId: 'c1', fromIndex: 10, toIndex: 10, proofPayword: c1.payword(9) },
    ],
    '2026-03-10',
  );
  await f.worker.night.run('2026-03-10');

  // Late spends for the 10th, recorded after its seal; and the 11th.
  world.at('2026-03-10T05:00:00.000Z');
  await world.issue('c4');
  await world.spend('c4', 'vc', 2);
  await world.spend('c3', 'va', 1);
  world.at('2026-03-10T20:00:00.000Z');
  await world.spend('c3', 'va', 2);
  await world.spend('c4', 'vc', 1);
  f.clock.advance(24 * 3600_000);
  await f.worker.night.run();

  // The 12th: left pending, and a claim sealed but not verified yet.
  world.at('2026-03-11T20:00:00.000Z');
  await world.spend('c4', 'vc', 3);
  await world.handOff('c3', 'va', 'vb');
  await world.spend('c3', 'vb', 1);
  await claim(
    'vc',
    'open',
    [{ chainId: 'c4', fromIndex: 4, toIndex: 6, proofPayword: world.chain('c4').payword(6) }],
    '2026-03-12',
  );
  return (await f.store.readAll())
    .filter((e) => e.type === 'RedemptionBatchSealed')
    .map((e) => (e.data as { batchId: string }).batchId);
}
