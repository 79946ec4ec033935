import { describe, expect, it } from '@jest/globals';
import { publicKeyRecord, verifyReceipt, type Receipt, type ReceiptBody } from '#protocol';
import { acceptedPositions, eventTypes } from '../../test/chain-audit.js';
import { EngineWorld, payment, refusedWith } from '../../test/engine-fixture.js';

/** What a receipt says, without its signature or batch proof (which may differ between answers). */
const bodyOf = ({ signature: _s, batch: _b, ...body }: Receipt): ReceiptBody => body;

describe('spending coins of a client-side wallet', () => {
  it('records the spend before answering with a receipt the content server can check', async () => {
    const world = new EngineWorld();
    const vendor = world.vendor('va');
    const issued = await world.broker.issue();
    const outcome = await vendor.spendCoins.execute(payment(issued, 1, 3, 'article-7'));
    expect(await acceptedPositions(world.store, issued.chain.chainId)).toEqual(
      [1, 2, 3].map((position) => ({ position, vendorId: 'va' })),
    );
    expect(outcome.receipt).toMatchObject({
      vendorId: 'va',
      fromIndex: 1,
      toIndex: 3,
      amount: 15,
      currency: 'NZD',
      resource: 'article-7',
    });
    expect(outcome.receipt.receiptId).toBe(outcome.spend.receiptId);
    // The event names what was bought: the customer's history shows it (both wallet kinds).
    expect(outcome.spend).toMatchObject({ resource: 'article-7', fromIndex: 1, toIndex: 3 });
    expect(verifyReceipt(outcome.receipt, [publicKeyRecord(vendor.signer, 'va')]).ok).toBe(true);
  });

  it('answers a retry of the same payment with the same receipt, and refuses the payword for anything else', async () => {
    const world = new EngineWorld();
    const vendor = world.vendor('va');
    const issued = await world.broker.issue();
    const first = await vendor.spendCoins.execute(payment(issued, 1, 2));
    const retry = await vendor.spendCoins.execute(payment(issued, 1, 2));
    expect(retry.duplicate).toBe(true);
    expect(retry.receipt.receiptId).toBe(first.receipt.receiptId);
    expect(bodyOf(retry.receipt)).toEqual(bodyOf(first.receipt));
    expect(verifyReceipt(retry.receipt, [publicKeyRecord(vendor.signer, 'va')]).ok).toBe(true);
    expect(await refusedWith(vendor.spendCoins.execute(payment(issued, 1, 2, 'another-article')))).toBe(
      'SPEND.PAYWORD_REPLAYED',
    );
    expect(await refusedWith(vendor.spendCoins.execute(payment(issued, 1, 1)))).toBe(
      'SPEND.PAYWORD_REPLAYED',
    );
    expect((await acceptedPositions(world.store, issued.chain.chainId)).map((a) => a.position)).toEqual([
      1, 2,
    ]);
  });

  it('signs the receipts of spends answered in the same turn together; a retry gets an equally valid receipt of the same body', async () => {
    const world = new EngineWorld();
    const vendor = world.vendor('va');
    const keys = [publicKeyRecord(vendor.signer, 'va')];
    const chains = await Promise.all([1, 2, 3, 4].map(() => world.broker.issue()));
    const outcomes = await Promise.all(chains.map((c, i) => vendor.spendCoins.execute(payment(c, 1, i + 1))));
    // The in-memory store acknowledges every append in the same turn: one signature for the four.
    expect(new Set(outcomes.map((o) => o.receipt.signature)).size).toBe(1);
    expect(outcomes.map((o) => o.receipt.batch && [o.receipt.batch.index, o.receipt.batch.size])).toEqual([
      [0, 4],
      [1, 4],
      [2, 4],
      [3, 4],
    ]);
    outcomes.forEach((o, i) => {
      expect(o.receipt).toMatchObject({ receiptId: o.spend.receiptId, fromIndex: 1, toIndex: i + 1 });
      expect(verifyReceipt(o.receipt, keys).ok).toBe(true);
    });
    const retry = await vendor.spendCoins.execute(payment(chains[2]!, 1, 3));
    expect(retry.duplicate).toBe(true);
    expect(bodyOf(retry.receipt)).toEqual(bodyOf(outcomes[2]!.receipt));
    expect(retry.receipt).not.toHaveProperty('batch');
    expect(verifyReceipt(retry.receipt, keys).ok).toBe(true);
  });

  it('refuses forged paywords, paywords of another chain and skipped positions', async () => {
    const world = new EngineWorld();
    const vendor = world.vendor('va');
    const issued = await world.broker.issue();
    const other = await world.broker.issue();
    const forged = { ...payment(issued, 1), payword: 'ab'.repeat(32) };
    expect(await refusedWith(vendor.spendCoins.execute(forged))).toBe('SPEND.PAYWORD_FORGED');
    const foreign = { ...payment(issued, 1), payword: other.chain.payword(1) };
    expect(await refusedWith(vendor.spendCoins.execute(foreign))).toBe('SPEND.PAYWORD_FORGED');
    expect(await refusedWith(vendor.spendCoins.execute({ ...payment(issued, 2), count: 1 }))).toBe(
      'SPEND.PAYWORD_SKIPPED',
    );
    expect(await refusedWith(vendor.spendCoins.execute({ ...payment(issued, 1), count: 10_001 }))).toBe(
      'SPEND.TOO_MANY_COINS',
    );
    expect(await eventTypes(world.store, issued.chain.chainId)).toEqual(['ChainIssued']);
  });

  it('refuses expired, vendor-restricted, revoked and foreign-currency chains with their codes', async () => {
    const world = new EngineWorld();
    const vendor = world.vendor('va');
    const expired = await world.broker.issue({ expiresAt: '2026-05-01T00:00:00.000Z' });
    expect(await refusedWith(vendor.spendCoins.execute(payment(expired, 1)))).toBe('TOUCHSTONE.EXPIRED');
    const restricted = await world.broker.issue({ vendorRestriction: ['vb'] });
    expect(await refusedWith(vendor.spendCoins.execute(payment(restricted, 1)))).toBe(
      'TOUCHSTONE.VENDOR_NOT_ALLOWED',
    );
    const euros = await world.broker.issue({ currency: 'EUR' });
    expect(await refusedWith(vendor.spendCoins.execute(payment(euros, 1)))).toBe(
      'SPEND.CURRENCY_NOT_ACCEPTED',
    );
    const cents = await world.broker.issue({ coinValue: 1 });
    expect(await refusedWith(vendor.spendCoins.execute(payment(cents, 1)))).toBe(
      'SPEND.COIN_VALUE_NOT_ACCEPTED',
    );
    const revoked = await world.broker.issue();
    await vendor.spendCoins.execute(payment(revoked, 1));
    await world.broker.revoke(revoked.chain.chainId, 'fraud');
    // This vendor missed the CRL notice: the append fails on the revision and the reload shows the revocation.
    expect(await refusedWith(vendor.spendCoins.execute(payment(revoked, 2)))).toBe('CHAIN.REVOKED');
    vendor.revocations.add({
      kind: 'chain',
      id: expired.chain.chainId,
      reason: 'crl',
      at: '2026-06-01T00:00:00.000Z',
    });
    expect(await refusedWith(vendor.spendCoins.execute(payment(expired, 1)))).toBe('CHAIN.REVOKED');
  });

  it('refuses a touchstone the broker did not sign and one that is not the chain’s', async () => {
    const world = new EngineWorld();
    const vendor = world.vendor('va');
    const issued = await world.broker.issue();
    const other = await world.broker.issue();
    const carried = { ...payment(issued, 1), touchstone: other.touchstone };
    expect(await refusedWith(vendor.spendCoins.execute(carried))).toBe('TOUCHSTONE.MISMATCH');
    const tampered = { ...issued.touchstone, length: 49 };
    expect(await refusedWith(vendor.touchstones.accept(tampered))).toBe('TOUCHSTONE.SIGNATURE_INVALID');
  });

  it('serves spends from memory, and falls back to the stream when the hot store is flushed', async () => {
    const world = new EngineWorld();
    const hot = world.vendor('va').hot;
    const replicaA = world.vendor('va', { hot });
    const replicaB = world.vendor('va', { hot });
    const issued = await world.broker.issue();
    await replicaA.spendCoins.execute(payment(issued, 1));
    await replicaB.spendCoins.execute(payment(issued, 2)); // B learns the chain from the shared hot store
    await replicaA.spendCoins.execute(payment(issued, 3)); // A's memory is stale: conflict, refresh, decide again
    hot.flush();
    replicaB.states.forget(issued.chain.chainId);
    await replicaB.spendCoins.execute(payment(issued, 4));
    expect(await refusedWith(replicaA.spendCoins.execute(payment(issued, 4, 1, 'x')))).toBe(
      'SPEND.PAYWORD_REPLAYED',
    );
    expect((await acceptedPositions(world.store, issued.chain.chainId)).map((a) => a.position)).toEqual([
      1, 2, 3, 4,
    ]);
  });

  it('asks the broker for a touchstone only when neither memory, Redis nor the payer has it', async () => {
    const world = new EngineWorld();
    const hot = world.vendor('va').hot;
    const first = world.vendor('va', { hot });
    const issued = await world.broker.issue();
    await first.spendCoins.execute(payment(issued, 1));
    hot.touchstones.clear();
    const second = world.vendor('va', { hot });
    await second.spendCoins.execute(payment(issued, 2));
    expect(world.broker.calls.touchstone).toBe(1);
    hot.touchstones.clear();
    const third = world.vendor('va', { hot });
    await third.spendCoins.execute({ ...payment(issued, 3), touchstone: issued.touchstone });
    expect(world.broker.calls.touchstone).toBe(1);
  });

  it('never accepts one position twice when many spends of one chain race in one process', async () => {
    const world = new EngineWorld();
    const vendor = world.vendor('va');
    const issued = await world.broker.issue();
    const attempts = [1, 1, 2, 2, 3, 1, 3, 4].map((i, n) =>
      vendor.spendCoins.execute(payment(issued, i, 1, `r${n}`)),
    );
    const results = await Promise.allSettled(attempts);
    const positions = (await acceptedPositions(world.store, issued.chain.chainId)).map((a) => a.position);
    expect(positions).toEqual([1, 2, 3, 4]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(4);
  });

  it('refuses a resource no receipt can name before spending anything', async () => {
    const world = new EngineWorld();
    const vendor = world.vendor('va');
    const issued = await world.broker.issue();
    // 1 500 characters but 3 000 UTF-8 bytes: a bound on characters lets it through.
    for (const resource of ['é'.repeat(1_500), 'article-1\nX-Injected: yes', '', 'half a pair \ud800']) {
      expect(await refusedWith(vendor.spendCoins.execute(payment(issued, 1, 2, resource)))).toBe(
        'SPEND.RESOURCE_INVALID',
      );
    }
    expect(await eventTypes(world.store, issued.chain.chainId)).toEqual(['ChainIssued']);
    // The same payment for a resource that fits spends W[1..2], not anything further on.
    const fixed = await vendor.spendCoins.execute(payment(issued, 1, 2, 'é'.repeat(1_024)));
    expect(fixed.receipt).toMatchObject({ fromIndex: 1, toIndex: 2 });
  });
});
