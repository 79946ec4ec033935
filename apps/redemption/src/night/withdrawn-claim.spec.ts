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

  // An honest vendor the customer authorised again: the broker answers its checkout with a fresh
  // grant (the wallet is held elsewhere), the holder does not answer the hand-off, and the vendor
  // claims the chain, as every vendor does from a silent holder. The claim carries that grant.
  it('is paid for what it sells after the customer authorised it again and it claimed the wallet', async () => {
    await f.world.issue('sa', { length: 30, wallet: 'server' });
    await f.world.checkout('sa', 'va', 10);
    await f.world.spend('sa', 'va', 2); // W1..W2 at va
    await withdraw('sa', 'va', 3); // at 01:00
    await f.world.checkout('sa', 'vb', 12);
    await f.world.spend('sa', 'vb', 1); // W3 at vb
    // The customer authorises va again; vb is down when va asks it for the wallet.
    f.world.at('2026-03-10T02:00:00.500Z');
    await f.world.claim('sa', 'vb', 'va', f.world.walletGrant('sa', 'va', '2026-03-10T02:00:00.000Z'));
    await f.world.checkout('sa', 'va', 20); // the claim brought no paywords: the broker releases a slice
    await f.world.spend('sa', 'va', 3); // W4..W6 at va

    const report = await f.worker.night.run(DAY);
    expect(report.failures).toEqual([]);
    // va: W1..W2 and W4..W6 (5 coins of 5); vb: W3.
    expect([await f.balance('va'), await f.balance('vb')]).toEqual([25, 5]);
  });

  it('takes no claim on a grant issued before the withdrawal, nor on another vendor’s grant', async () => {
    for (const [chainId, grant] of [
      ['so', (w: NightFixture['world']) => w.walletGrant('so', 'va', '2026-03-10T00:59:30.000Z')],
      ['sx', (w: NightFixture['world']) => w.walletGrant('sx', 'vb', '2026-03-10T02:00:00.000Z')],
    ] as const) {
      f.world.at('2026-03-10T01:00:00.000Z');
      await f.world.issue(chainId, { length: 30, wallet: 'server' });
      await f.world.checkout(chainId, 'va', 10);
      await f.world.spend(chainId, 'va', 2);
      await withdraw(chainId, 'va', 3);
      await f.world.checkout(chainId, 'vb', 12);
      await f.world.spend(chainId, 'vb', 1);
      f.world.at('2026-03-10T02:00:00.500Z');
      await f.world.claim(chainId, 'vb', 'va', grant(f.world));
      await f.world.spend(chainId, 'va', 7); // W4..W10 of its old slice
    }

    const report = await f.worker.night.run(DAY);
    expect(report.failures).toEqual([]);
    expect([await f.balance('va'), await f.balance('vb')]).toEqual([20, 10]);
  });
});
