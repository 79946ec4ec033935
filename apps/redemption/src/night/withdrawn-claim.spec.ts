import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { nightFixture, type NightFixture } from '../../test/night-fixture.js';

const DAY = '2026-03-10';

// An insider probe: a vendor the customer withdrew keeps the paywords of the slice the broker
// released to it. The slice ended (SliceWithdrawn), the next vendor checked the wallet out, and
// the withdrawn vendor claimed the chain from it (a claim from a live holder is allowed) and
// recorded the rest of its old slice as its own spends: the night paid it for coins the customer
// never spent there, although "nothing after a withdrawal is paid".
describe('a vendor the customer withdrew', () => {
  let f: NightFixture;

  beforeEach(async () => {
    f = await nightFixture();
    await f.vendors('va', 'vb');
  });
  afterEach(() => f.dispose());

  const withdraw = async (chainId: string, vendorId: string, index: number) =>
    f.world.appendRaw(chainId, {
      type: 'SliceWithdrawn',
      version: 1,
      data: {
        chainId,
        vendorId,
        index,
        lastPayword: f.world.chain(chainId).payword(index - 1),
        at: '2026-03-10T01:00:00.000Z',
      },
    });

  it('is paid nothing for what it records after claiming the wallet back', async () => {
    await f.world.issue('sw', { length: 30, wallet: 'server' });
    await f.world.checkout('sw', 'va', 10);
    await f.world.spend('sw', 'va', 2); // W1..W2: the customer bought these at va
    await withdraw('sw', 'va', 3);
    await f.world.checkout('sw', 'vb', 12);
    await f.world.spend('sw', 'vb', 1); // W3 at vb
    // va still knows W4..W10 from its old slice: it claims the chain back and spends them.
    await f.world.claim('sw', 'vb', 'va');
    await f.world.spend('sw', 'va', 7);

    const report = await f.worker.night.run(DAY);
    expect(report.failures).toEqual([]);
    // va: W1..W2 only (2 coins of 5); vb: W3.
    expect([await f.balance('va'), await f.balance('vb')]).toEqual([10, 5]);
  });

  it('is paid again once the customer checked the wallet out to it anew', async () => {
    await f.world.issue('sr', { length: 30, wallet: 'server' });
    await f.world.checkout('sr', 'va', 10);
    await f.world.spend('sr', 'va', 2);
    await withdraw('sr', 'va', 3);
    await f.world.checkout('sr', 'vb', 12);
    await f.world.spend('sr', 'vb', 1);
    await withdraw('sr', 'vb', 4);
    await f.world.checkout('sr', 'va', 15); // authorised again: a new slice
    await f.world.spend('sr', 'va', 3);

    const report = await f.worker.night.run(DAY);
    expect(report.failures).toEqual([]);
    expect([await f.balance('va'), await f.balance('vb')]).toEqual([25, 5]);
  });

  it('cannot, by spending without the chain, leave the honest holder unpaid for what follows', async () => {
    // va handed the wallet to vb but still knows W4..W10 of its slice, and spends them unasked.
    await f.world.issue('sg', { length: 30, wallet: 'server' });
    await f.world.checkout('sg', 'va', 10);
    await f.world.spend('sg', 'va', 3);
    await f.world.handOff('sg', 'va', 'vb');
    const c = f.world.chain('sg');
    await f.world.appendRaw('sg', {
      type: 'CoinsSpent',
      version: 1,
      data: {
        chainId: 'sg',
        vendorId: 'va',
        fromIndex: 4,
        toIndex: 10,
        payword: c.payword(10),
        receiptId: 'r_grab',
        at: '2026-03-10T01:00:00.000Z',
      },
    });
    // Every fold believes it (the word hashes down): vb claims the chain back and goes on at 11.
    await f.world.claim('sg', 'va', 'vb');
    await f.world.checkout('sg', 'vb', 15); // the slice ended at 10: vb checks out more
    await f.world.spend('sg', 'vb', 2);

    const report = await f.worker.night.run(DAY);
    expect(report.failures).toEqual([]);
    // vb: W11..W12 (before, the replay stopped at 4 and refused vb's spend). va: nothing, the
    // night's item for its spends 1..10 holds positions payable to no one and is refused whole.
    expect([await f.balance('va'), await f.balance('vb')]).toEqual([0, 10]);
  });
});
