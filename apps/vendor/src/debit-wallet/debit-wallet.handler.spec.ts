import { randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { acceptedPositions, eventTypes } from '../../test/chain-audit.js';
import { encodeSubscriberToken, signSubscriberToken, signWalletGrant } from '#protocol';
import { EngineWorld, refusedWith } from '../../test/engine-fixture.js';

/** One purchase; a retry of it sends the same `idempotencyKey`. */
const debit = (
  checkoutToken: string,
  count: number,
  resource = 'clip-1',
  idempotencyKey: string = randomUUID(),
) => ({
  checkoutToken,
  count,
  resource,
  idempotencyKey,
  correlationId: randomUUID(),
});

describe('debiting a server-side e-wallet', () => {
  it('checks a slice out from the broker once and debits it per purchase', async () => {
    const world = new EngineWorld();
    const a = world.vendor('va');
    const issued = await world.broker.issue({ wallet: 'server', length: 40 });
    const token = world.broker.checkoutToken(issued.chain.chainId, 'va');
    const first = await a.debitWallet.execute(debit(token, 2));
    await a.debitWallet.execute(debit(token, 3, 'clip-2'));
    expect(world.broker.calls.checkoutWallet).toBe(1);
    expect(first.receipt).toMatchObject({ vendorId: 'va', fromIndex: 1, toIndex: 2, amount: 10 });
    expect(await eventTypes(world.store, issued.chain.chainId)).toEqual([
      'ChainIssued',
      'WalletCheckedOut',
      'CoinsSpent',
      'CoinsSpent',
    ]);
    // The proof recorded is the released payword W[toIndex].
    expect(first.spend.payword).toBe(issued.chain.payword(2));
    // The event names what was bought, as for a client-side wallet.
    expect(first.spend.resource).toBe('clip-1');
  });

  it('checks out more when the slice runs out', async () => {
    const world = new EngineWorld();
    const a = world.vendor('va');
    const issued = await world.broker.issue({ wallet: 'server', length: 40 });
    const token = world.broker.checkoutToken(issued.chain.chainId, 'va');
    for (let i = 0; i < 4; i++) await a.debitWallet.execute(debit(token, 3, `clip-${i}`));
    expect(world.broker.calls.checkoutWallet).toBe(2);
    expect((await acceptedPositions(world.store, issued.chain.chainId)).map((x) => x.position)).toEqual(
      Array.from({ length: 12 }, (_, i) => i + 1),
    );
  });

  it('pays from the chain the broker checks out when the one it had moved away and a free one exists', async () => {
    const world = new EngineWorld();
    const a = world.vendor('va');
    const b = world.vendor('vb');
    const first = await world.broker.issue({ wallet: 'server', length: 40 });
    const second = await world.broker.issue({ wallet: 'server', length: 40 });
    const [c1, c2] = [first.chain.chainId, second.chain.chainId];
    // A pays from the first chain; B (whose token reaches only that chain) then takes it over.
    const tokenA = world.broker.checkoutToken([c1, c2], 'va');
    expect((await a.debitWallet.execute(debit(tokenA, 2))).spend.chainId).toBe(c1);
    expect((await b.debitWallet.execute(debit(world.broker.checkoutToken(c1, 'vb'), 1))).spend.chainId).toBe(
      c1,
    );
    // A again: the broker releases the free second chain to A rather than a grant for the first,
    // so A pays from it instead of asking B for the first without a grant (refused, 403).
    const again = await a.debitWallet.execute(debit(tokenA, 2, 'clip-2'));
    expect(again.spend.chainId).toBe(c2);
    expect((await acceptedPositions(world.store, c2)).map((x) => x.position)).toEqual([1, 2]);
  });

  it('asks the broker only for coins it accepts: a 1-cent chain bought first is never checked out here', async () => {
    const world = new EngineWorld();
    const a = world.vendor('va');
    const cents = await world.broker.issue({ wallet: 'server', length: 40, coinValue: 1 });
    const fives = await world.broker.issue({ wallet: 'server', length: 40 });
    const token = world.broker.checkoutToken([cents.chain.chainId, fives.chain.chainId], 'va');
    expect((await a.debitWallet.execute(debit(token, 2))).spend.chainId).toBe(fives.chain.chainId);
    expect(await eventTypes(world.store, cents.chain.chainId)).toEqual(['ChainIssued']);
  });

  it('does not take over a subscriber token’s chain of coins it does not accept (Mobile-NetPay)', async () => {
    const world = new EngineWorld();
    const penny = world.vendor('vp', { accepted: { currency: 'NZD', coinValue: 1 } });
    const a = world.vendor('va');
    const cents = (await world.broker.issue({ wallet: 'server', length: 40, coinValue: 1 })).chain.chainId;
    const fives = (await world.broker.issue({ wallet: 'server', length: 40 })).chain.chainId;
    await penny.debitWallet.execute(debit(world.broker.checkoutToken(cents, 'vp'), 1)); // vp holds it
    const now = world.clock.now();
    const until = new Date(now.getTime() + 3_600_000).toISOString();
    const signer = world.broker.signer;
    const grants = [cents, fives].map((chainId) =>
      signWalletGrant(
        { chainId, vendorId: 'va', issuedAt: now.toISOString(), notAfter: until, brokerKeyId: signer.keyId },
        signer,
      ),
    );
    const body = {
      subscriber: 'sub_1',
      vendorId: 'va',
      wallet: world.broker.checkoutToken([cents, fives], 'va'),
      chainIds: [cents, fives],
      notBefore: now.toISOString(),
      notAfter: until,
      brokerKeyId: signer.keyId,
    };
    const token = encodeSubscriberToken(signSubscriberToken(body, grants, signer));
    expect((await a.debitWallet.execute(debit(token, 2))).spend.chainId).toBe(fives);
    expect(await eventTypes(world.store, cents)).toEqual(['ChainIssued', 'WalletCheckedOut', 'CoinsSpent']);
  });

  it('passes the unspent paywords on to the next vendor by hand-off', async () => {
    const world = new EngineWorld();
    const a = world.vendor('va');
    const b = world.vendor('vb');
    const issued = await world.broker.issue({ wallet: 'server', length: 40 });
    await a.debitWallet.execute(debit(world.broker.checkoutToken(issued.chain.chainId, 'va'), 2));
    const atB = await b.debitWallet.execute(debit(world.broker.checkoutToken(issued.chain.chainId, 'vb'), 4));
    expect(atB.receipt).toMatchObject({ vendorId: 'vb', fromIndex: 3, toIndex: 6 });
    expect(world.broker.calls.checkoutWallet).toBe(2); // B's checkout was refused: A held the wallet
    expect(await eventTypes(world.store, issued.chain.chainId)).toEqual([
      'ChainIssued',
      'WalletCheckedOut',
      'CoinsSpent',
      'IndexHandedOff',
      'CoinsSpent',
    ]);
    expect(await a.slices.payword(issued.chain.chainId, 7)).toBeUndefined();
  });

  it('takes the wallet over when the broker says another vendor holds it, though its cached state said nobody did', async () => {
    // Mobile-NetPay: a vendor reads each chain of a subscriber token when it first sees it; the
    // chain was then checked out elsewhere and moved on. Its state said "no holder", so it took
    // nothing over and refused with WALLET.NO_PAYWORDS though the wallet had coins left.
    const world = new EngineWorld();
    const a = world.vendor('va');
    const b = world.vendor('vb');
    const issued = await world.broker.issue({ wallet: 'server', length: 40 });
    const chainId = issued.chain.chainId;
    const seen = await b.states.current(chainId);
    expect(seen.status === 'open' ? [seen.holder, seen.index] : seen.status).toEqual([undefined, 1]);
    await a.debitWallet.execute(debit(world.broker.checkoutToken(chainId, 'va'), 2));
    const atB = await b.debitWallet.execute(debit(world.broker.checkoutToken(chainId, 'vb'), 4));
    expect(atB.receipt).toMatchObject({ vendorId: 'vb', fromIndex: 3, toIndex: 6 });
    expect(await eventTypes(world.store, chainId)).toEqual([
      'ChainIssued',
      'WalletCheckedOut',
      'CoinsSpent',
      'IndexHandedOff',
      'CoinsSpent',
    ]);
  });

  it('refuses a token the broker does not know', async () => {
    const world = new EngineWorld();
    const a = world.vendor('va');
    expect(await refusedWith(a.debitWallet.execute(debit('ct_unknown', 1)))).toBe('WALLET.TOKEN_INVALID');
  });

  it('moves on to the wallet’s next chain when one runs out', async () => {
    const world = new EngineWorld();
    const a = world.vendor('va');
    const first = await world.broker.issue({ wallet: 'server', length: 6 });
    const second = await world.broker.issue({ wallet: 'server', length: 6 });
    const token = world.broker.checkoutToken([first.chain.chainId, second.chain.chainId], 'va');
    await a.debitWallet.execute(debit(token, 3));
    await a.debitWallet.execute(debit(token, 3, 'clip-2'));
    const third = await a.debitWallet.execute(debit(token, 3, 'clip-3'));
    expect(third.receipt).toMatchObject({ chainId: second.chain.chainId, fromIndex: 1, toIndex: 3 });
    expect((await acceptedPositions(world.store, first.chain.chainId)).map((x) => x.position)).toEqual([
      1, 2, 3, 4, 5, 6,
    ]);
    // 3 coins left, the price is 4: no chain can pay, and the broker says so.
    expect(await refusedWith(a.debitWallet.execute(debit(token, 4, 'clip-4')))).toBe('CHECKOUT.NO_COINS');
  });

  it('a debit that waited past its deadline for the chain asks the broker nothing and records nothing', async () => {
    const world = new EngineWorld();
    const a = world.vendor('va');
    const issued = await world.broker.issue({ wallet: 'server', length: 40 });
    const token = world.broker.checkoutToken(issued.chain.chainId, 'va');
    await a.debitWallet.execute(debit(token, 9)); // the slice is 10 coins
    expect(world.broker.calls.checkoutWallet).toBe(1);
    // The next debit needs a checkout, but its deadline has passed.
    const late = { ...debit(token, 3, 'clip-2'), deadline: world.clock.now().getTime() - 1 };
    expect(await refusedWith(a.debitWallet.execute(late))).toBe('REQUEST.DEADLINE_EXCEEDED');
    expect(world.broker.calls.checkoutWallet).toBe(1);
    expect(await eventTypes(world.store, issued.chain.chainId)).toEqual([
      'ChainIssued',
      'WalletCheckedOut',
      'CoinsSpent',
    ]);
  });

  it('refuses a resource no receipt can name before spending anything', async () => {
    const world = new EngineWorld();
    const a = world.vendor('va');
    const issued = await world.broker.issue({ wallet: 'server', length: 40 });
    const token = world.broker.checkoutToken(issued.chain.chainId, 'va');
    for (const resource of ['é'.repeat(1_500), 'clip-1\r\nX-Injected: yes', '']) {
      expect(await refusedWith(a.debitWallet.execute(debit(token, 2, resource)))).toBe(
        'SPEND.RESOURCE_INVALID',
      );
    }
    expect(world.broker.calls.checkoutWallet).toBe(0);
    expect(await eventTypes(world.store, issued.chain.chainId)).toEqual(['ChainIssued']);
    const fixed = await a.debitWallet.execute(debit(token, 2, 'clip-1'));
    expect(fixed.receipt).toMatchObject({ fromIndex: 1, toIndex: 2 });
  });
});

describe('one Idempotency-Key used twice at once', () => {
  it('spends once when both first uses race, with another purchase between them: the second gets the same answer', async () => {
    const world = new EngineWorld();
    const a = world.vendor('va');
    const issued = await world.broker.issue({ wallet: 'server', length: 40 });
    const token = world.broker.checkoutToken(issued.chain.chainId, 'va');
    await a.debitWallet.execute(debit(token, 1, 'clip-0'));
    const key = randomUUID();
    const [first, third, second] = await Promise.all([
      a.debitWallet.execute(debit(token, 2, 'clip-1', key)),
      a.debitWallet.execute(debit(token, 3, 'clip-2')),
      a.debitWallet.execute(debit(token, 2, 'clip-1', key)),
    ]);
    expect(await eventTypes(world.store, issued.chain.chainId)).toEqual([
      'ChainIssued',
      'WalletCheckedOut',
      'CoinsSpent',
      'CoinsSpent',
      'CoinsSpent',
    ]);
    expect(second.spend).toEqual(first.spend);
    expect(second.duplicate).toBe(true);
    expect(third.spend.fromIndex).not.toBe(first.spend.fromIndex);
  });
});
