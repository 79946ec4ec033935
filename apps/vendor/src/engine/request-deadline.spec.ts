import { describe, expect, it } from '@jest/globals';
import { eventTypes } from '../../test/chain-audit.js';
import { EngineWorld, payment, refusedWith } from '../../test/engine-fixture.js';

describe('request deadline: a spend is recorded before it or not at all', () => {
  it('a request that outlived REQUEST_MAX_AGE here (the vendor was frozen mid-request) spends nothing', async () => {
    const world = new EngineWorld();
    const vendor = world.vendor('va');
    const issued = await world.broker.issue();
    const deadline = vendor.deadlineOf(undefined); // arrived now; the default age is 10 s
    world.clock.advance(10_001); // frozen, then resumed
    const late = vendor.spendCoins.execute({ ...payment(issued, 1, 2), deadline });
    expect(await refusedWith(late)).toBe('REQUEST.DEADLINE_EXCEEDED');
    expect(await eventTypes(world.store, issued.chain.chainId)).toEqual(['ChainIssued']);
    // Sent again, in time: spent once.
    const again = await vendor.spendCoins.execute({
      ...payment(issued, 1, 2),
      deadline: vendor.deadlineOf(undefined),
    });
    expect(again.duplicate).toBe(false);
  });

  it('the payer’s own deadline counts when it is earlier; a debit obeys it too', async () => {
    const world = new EngineWorld();
    const vendor = world.vendor('va');
    const issued = await world.broker.issue({ wallet: 'server', length: 30 });
    const token = world.broker.checkoutToken(issued.chain.chainId, 'va');
    const soon = new Date(world.clock.now().getTime() + 1_000).toISOString();
    const deadline = vendor.deadlineOf(soon);
    expect(deadline).toBe(Date.parse(soon));
    world.clock.advance(1_001);
    const debit = vendor.debitWallet.execute({
      checkoutToken: token,
      count: 1,
      resource: 'clip',
      idempotencyKey: 'purchase-0001',
      correlationId: 'c',
      deadline,
    });
    expect(await refusedWith(debit)).toBe('REQUEST.DEADLINE_EXCEEDED');
    expect((await eventTypes(world.store, issued.chain.chainId)).includes('CoinsSpent')).toBe(false);
    expect(() => vendor.deadlineOf('in a minute')).toThrow(
      expect.objectContaining({ code: 'REQUEST.DEADLINE_INVALID' }),
    );
  });
});
