import { describe, expect, it } from '@jest/globals';
import { mapError, toProblem } from '#platform';
import { EngineWorld, payment } from '../../test/engine-fixture.js';

/** What a wallet needs from a refusal to give its paywords back (packages/wallet/README.md). */
async function problemOf(promise: Promise<unknown>): Promise<Record<string, unknown>> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeDefined();
  return toProblem(mapError(error));
}

describe('a spend refusal states that nothing was recorded, and the index the vendor read', () => {
  it('a coin value the vendor does not take: recorded false at the chain’s index', async () => {
    const world = new EngineWorld();
    const vendor = world.vendor('va');
    const issued = await world.broker.issue({ coinValue: 7 });
    await expect(
      problemOf(vendor.spendCoins.execute({ ...payment(issued, 1, 2), touchstone: issued.touchstone })),
    ).resolves.toMatchObject({ code: 'SPEND.COIN_VALUE_NOT_ACCEPTED', recorded: false, index: 1 });
  });

  it('a skipped payword and a past deadline: recorded false, index where the chain stands', async () => {
    const world = new EngineWorld();
    const vendor = world.vendor('va');
    const issued = await world.broker.issue();
    await vendor.spendCoins.execute({ ...payment(issued, 1, 2), touchstone: issued.touchstone });
    await expect(
      problemOf(vendor.spendCoins.execute({ ...payment(issued, 5, 1), touchstone: issued.touchstone })),
    ).resolves.toMatchObject({ code: 'SPEND.PAYWORD_SKIPPED', recorded: false, index: 3 });
    const late = { ...payment(issued, 3, 1), deadline: world.clock.now().getTime() - 1 };
    await expect(problemOf(vendor.spendCoins.execute(late))).resolves.toMatchObject({
      code: 'REQUEST.DEADLINE_EXCEEDED',
      recorded: false,
      index: 3,
    });
    // A replay is refused too, at an index past the payword: a wallet never releases on it.
    await expect(
      problemOf(
        vendor.spendCoins.execute({ ...payment(issued, 1, 2, 'other'), touchstone: issued.touchstone }),
      ),
    ).resolves.toMatchObject({ code: 'SPEND.PAYWORD_REPLAYED', recorded: false, index: 3 });
  });

  it('a replay at the vendor that handed the chain off: the index the stream gave, not the stale one', async () => {
    const world = new EngineWorld();
    const a = world.vendor('va');
    const b = world.vendor('vb');
    const issued = await world.broker.issue();
    await a.spendCoins.execute({ ...payment(issued, 1, 2), touchstone: issued.touchstone });
    // b takes the chain over from a and spends 3..5.
    await b.spendCoins.execute({ ...payment(issued, 3, 3), touchstone: issued.touchstone });
    // The same words at a: a read the stream (the chain is at 6) before refusing; a wallet must not
    // take a's older memory (3) for the chain's index and release paywords b recorded.
    await expect(
      problemOf(a.spendCoins.execute({ ...payment(issued, 3, 3), touchstone: issued.touchstone })),
    ).resolves.toMatchObject({ code: 'SPEND.PAYWORD_REPLAYED', recorded: false, index: 6 });
  });
});
