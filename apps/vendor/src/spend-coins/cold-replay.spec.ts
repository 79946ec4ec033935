import { describe, expect, it } from '@jest/globals';
import type { EventStore } from '#event-store';
import { deterministicEventId, streams, toNewEvent, type CoinsSpent } from '#events';
import { NetPayError } from '#platform';
import { eventTypes } from '../../test/chain-audit.js';
import { EngineWorld, payment } from '../../test/engine-fixture.js';

/** Appends `event` to the chain's stream as vendor `vx` would: any vendor may write there. */
async function appendAsOtherVendor(
  store: EventStore,
  chainId: string,
  event: CoinsSpent,
  expectedRevision: number,
): Promise<void> {
  const id = deterministicEventId(`${chainId}:${event.data.receiptId}`);
  await store.appendToStream(
    streams.chain(chainId),
    [toNewEvent(event, { correlationId: 'x', causationId: 'x', actor: 'vendor:vx' }, id)],
    { expectedRevision },
  );
}

describe('a replay at a vendor that never saw the chain', () => {
  it('is refused, and moves nothing: the chain stays with its holder', async () => {
    const world = new EngineWorld();
    const a = world.vendor('va');
    const b = world.vendor('vb');
    const issued = await world.broker.issue();
    for (const index of [1, 2, 3]) await a.spendCoins.execute(payment(issued, index));

    // The word of A's last spend, and older ones (2 coins ending at 2).
    for (const shown of [payment(issued, 3, 1, 'elsewhere'), payment(issued, 2), payment(issued, 1, 2)]) {
      const refusal = await b.spendCoins.execute(shown).catch((e: unknown) => e);
      expect(refusal).toBeInstanceOf(NetPayError);
      expect((refusal as NetPayError).code).toBe('SPEND.PAYWORD_REPLAYED');
      expect((refusal as NetPayError).details).toMatchObject({ index: 4, recorded: false });
    }
    // A goes on without asking anyone for the chain back.
    await a.spendCoins.execute(payment(issued, 4));
    expect(await eventTypes(world.store, issued.chain.chainId)).toEqual([
      'ChainIssued',
      'CoinsSpent',
      'CoinsSpent',
      'CoinsSpent',
      'CoinsSpent',
    ]);
  });

  it('does not keep a vendor’s own spend, retried at a cold replica, from its receipt after someone restated its word', async () => {
    const world = new EngineWorld();
    const a = world.vendor('va');
    const issued = await world.broker.issue();
    const paid = payment(issued, 1, 1, 'article-7');
    const first = await a.spendCoins.execute(paid);
    // Any vendor may append to a chain's stream: one restates A's spend under its own name.
    const restated: CoinsSpent = {
      type: 'CoinsSpent',
      version: 1,
      data: { ...first.spend, vendorId: 'vx', receiptId: 'restated' },
    };
    await appendAsOtherVendor(world.store, issued.chain.chainId, restated, 1);
    // A replica of A with nothing in memory or Redis gets the payer's retry: the same receipt.
    const replica = world.vendor('va');
    const retried = await replica.spendCoins.execute(paid);
    expect(retried.duplicate).toBe(true);
    expect(retried.spend).toEqual(first.spend);
  });

  it('still takes the chain over for a payword not yet spent', async () => {
    const world = new EngineWorld();
    const a = world.vendor('va');
    const b = world.vendor('vb');
    const issued = await world.broker.issue();
    await a.spendCoins.execute(payment(issued, 1, 2));
    const paid = await b.spendCoins.execute(payment(issued, 3));
    expect(paid.duplicate).toBe(false);
    expect(await eventTypes(world.store, issued.chain.chainId)).toEqual([
      'ChainIssued',
      'CoinsSpent',
      'IndexHandedOff',
      'CoinsSpent',
    ]);
  });

  it('is not misled by a far-off word someone without the chain wrote into its stream', async () => {
    const world = new EngineWorld();
    const a = world.vendor('va');
    const issued = await world.broker.issue();
    await a.spendCoins.execute(payment(issued, 1));
    const forged: CoinsSpent = {
      type: 'CoinsSpent',
      version: 1,
      data: {
        chainId: issued.chain.chainId,
        vendorId: 'vx',
        fromIndex: 2,
        toIndex: 15,
        payword: 'ab'.repeat(32),
        receiptId: 'forged',
        at: '2026-06-01T12:00:00.000Z',
      },
    };
    await appendAsOtherVendor(world.store, issued.chain.chainId, forged, 1);
    const b = world.vendor('vb');
    // The customer's next payword is still good: the fold ignores the forged spend, B takes over.
    const paid = await b.spendCoins.execute(payment(issued, 2));
    expect(paid.spend).toMatchObject({ vendorId: 'vb', fromIndex: 2, toIndex: 2 });
  });
});
