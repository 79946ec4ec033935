import { randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { decode, streams, type CoinsSpent } from '#events';
import { publicKeyRecord, verifyReceipt, type Receipt, type ReceiptBody } from '#protocol';
import { acceptedPositions, eventTypes, uniquePositions } from '../../test/chain-audit.js';
import { EngineWorld, refusedWith } from '../../test/engine-fixture.js';
import { InMemoryHotChainStore } from '../engine/hot-chain-store.js';
import { InMemoryWalletSliceStore } from './wallet-slice-store.js';

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

/** What a receipt says, without its signature or batch proof (which may differ between answers). */
const bodyOf = ({ signature: _s, batch: _b, ...body }: Receipt): ReceiptBody => body;

describe('retrying a server-side debit (Idempotency-Key)', () => {
  it('answers a retry of a purchase (same Idempotency-Key) with its receipt instead of spending again', async () => {
    const world = new EngineWorld();
    const a = world.vendor('va');
    const issued = await world.broker.issue({ wallet: 'server', length: 40 });
    const token = world.broker.checkoutToken(issued.chain.chainId, 'va');
    const first = await a.debitWallet.execute(debit(token, 2, 'clip-1', 'purchase-0001'));
    const retry = await a.debitWallet.execute(debit(token, 2, 'clip-1', 'purchase-0001'));
    expect(first.duplicate).toBe(false);
    expect(retry.duplicate).toBe(true);
    // The same receipt: same id and body, and a signature (maybe of another batch) that verifies.
    expect(bodyOf(retry.receipt)).toEqual(bodyOf(first.receipt));
    expect(verifyReceipt(retry.receipt, [publicKeyRecord(a.signer, 'va')]).ok).toBe(true);
    // Another purchase of the same thing (a new key) is spent: W[3..4].
    const next = await a.debitWallet.execute(debit(token, 2, 'clip-1', 'purchase-0002'));
    expect(next).toMatchObject({ duplicate: false, receipt: { fromIndex: 3, toIndex: 4 } });
    expect(next.receipt.receiptId).not.toBe(first.receipt.receiptId);
    expect((await acceptedPositions(world.store, issued.chain.chainId)).map((x) => x.position)).toEqual([
      1, 2, 3, 4,
    ]);
  });

  it('answers a retry that comes after another purchase, and refuses the key with another body', async () => {
    const world = new EngineWorld();
    const a = world.vendor('va');
    const issued = await world.broker.issue({ wallet: 'server', length: 40 });
    const token = world.broker.checkoutToken(issued.chain.chainId, 'va');
    const first = await a.debitWallet.execute(debit(token, 1, 'clip-1', 'purchase-0101'));
    await a.debitWallet.execute(debit(token, 1, 'clip-1', 'purchase-0102'));
    // The first purchase's retry, after the second: its receipt again, nothing spent (was W[3]).
    const retry = await a.debitWallet.execute(debit(token, 1, 'clip-1', 'purchase-0101'));
    expect(retry).toMatchObject({ duplicate: true, receipt: { receiptId: first.receipt.receiptId } });
    expect(bodyOf(retry.receipt)).toEqual(bodyOf(first.receipt));
    // The same key for another purchase (5 coins, another clip): refused, nothing spent.
    expect(await refusedWith(a.debitWallet.execute(debit(token, 5, 'clip-2', 'purchase-0101')))).toBe(
      'IDEMPOTENCY.KEY_REUSED',
    );
    expect((await acceptedPositions(world.store, issued.chain.chainId)).map((x) => x.position)).toEqual([
      1, 2,
    ]);
  });

  it('still recognises the retry on a replica that shares nothing with the first (Redis lost)', async () => {
    const world = new EngineWorld();
    const first = world.vendor('va');
    const issued = await world.broker.issue({ wallet: 'server', length: 40 });
    const token = world.broker.checkoutToken(issued.chain.chainId, 'va');
    const paid = await first.debitWallet.execute(debit(token, 3, 'card-9', 'purchase-0003'));
    const fresh = world.vendor('va', {
      hot: new InMemoryHotChainStore(),
      slices: new InMemoryWalletSliceStore(),
    });
    const retry = await fresh.debitWallet.execute(debit(token, 3, 'card-9', 'purchase-0003'));
    expect(retry.duplicate).toBe(true);
    expect(retry.receipt.receiptId).toBe(paid.receipt.receiptId);
    expect(retry.receipt).toMatchObject({ fromIndex: 1, toIndex: 3 });
    expect((await acceptedPositions(world.store, issued.chain.chainId)).map((x) => x.position)).toEqual([
      1, 2, 3,
    ]);
  });

  it('recognises a retry that reaches a replica whose memory of the chain is behind', async () => {
    const world = new EngineWorld();
    const shared = { hot: new InMemoryHotChainStore(), slices: new InMemoryWalletSliceStore() };
    const r1 = world.vendor('va', shared);
    const r2 = world.vendor('va', shared);
    const issued = await world.broker.issue({ wallet: 'server', length: 40 });
    const token = world.broker.checkoutToken(issued.chain.chainId, 'va');
    await r2.debitWallet.execute(debit(token, 1, 'clip-0', 'purchase-0004'));
    // r2 remembers the chain at I = 2; r1 then records the purchase, and its retry reaches r2.
    const paid = await r1.debitWallet.execute(debit(token, 2, 'clip-1', 'purchase-0005'));
    const retry = await r2.debitWallet.execute(debit(token, 2, 'clip-1', 'purchase-0005'));
    // r2 picks the same paywords at the same revision with the same receipt id: the store takes the
    // append for the one already in (same event id), so nothing is spent twice.
    expect(retry.receipt).toMatchObject({ receiptId: paid.receipt.receiptId, fromIndex: 2, toIndex: 3 });
    expect((await acceptedPositions(world.store, issued.chain.chainId)).map((x) => x.position)).toEqual([
      1, 2, 3,
    ]);
  });

  it('refuses a debit without a usable Idempotency-Key before anything is checked out or spent', async () => {
    const world = new EngineWorld();
    const a = world.vendor('va');
    const issued = await world.broker.issue({ wallet: 'server', length: 40 });
    const token = world.broker.checkoutToken(issued.chain.chainId, 'va');
    expect(await refusedWith(a.debitWallet.execute(debit(token, 2, 'clip-1', '')))).toBe(
      'IDEMPOTENCY.KEY_REQUIRED',
    );
    expect(await refusedWith(a.debitWallet.execute(debit(token, 2, 'clip-1', 'has space')))).toBe(
      'IDEMPOTENCY.KEY_INVALID',
    );
    expect(world.broker.calls.checkoutWallet).toBe(0);
    expect(await eventTypes(world.store, issued.chain.chainId)).toEqual(['ChainIssued']);
  });

  it('answers a retry at a replica two purchases behind, once the store shows the purchase recorded', async () => {
    const world = new EngineWorld();
    const shared = { hot: new InMemoryHotChainStore(), slices: new InMemoryWalletSliceStore() };
    const r1 = world.vendor('va', shared);
    const r2 = world.vendor('va', shared);
    const issued = await world.broker.issue({ wallet: 'server', length: 40 });
    const token = world.broker.checkoutToken(issued.chain.chainId, 'va');
    await r2.debitWallet.execute(debit(token, 1, 'clip-0'));
    await r1.debitWallet.execute(debit(token, 1, 'clip-1'));
    const paid = await r1.debitWallet.execute(debit(token, 2, 'clip-2', 'purchase-0007'));
    // r2 still thinks I = 2: it picks W[3], the append conflicts, and the state it looks up names the purchase.
    const retry = await r2.debitWallet.execute(debit(token, 2, 'clip-2', 'purchase-0007'));
    expect(retry).toMatchObject({ duplicate: true, receipt: { receiptId: paid.receipt.receiptId } });
    expect(retry.receipt).toMatchObject({ fromIndex: 3, toIndex: 4 });
    expect(await uniquePositions(world.store, issued.chain.chainId)).toEqual([1, 2, 3, 4]);
  });

  it('answers a retry after the wallet moved to another vendor without taking it back', async () => {
    const world = new EngineWorld();
    const a = world.vendor('va');
    const b = world.vendor('vb');
    const issued = await world.broker.issue({ wallet: 'server', length: 40 });
    const tokenA = world.broker.checkoutToken(issued.chain.chainId, 'va');
    const paid = await a.debitWallet.execute(debit(tokenA, 2, 'clip-1', 'purchase-0008'));
    await b.debitWallet.execute(debit(world.broker.checkoutToken(issued.chain.chainId, 'vb'), 1));
    const retry = await a.debitWallet.execute(debit(tokenA, 2, 'clip-1', 'purchase-0008'));
    expect(retry).toMatchObject({ duplicate: true, receipt: { receiptId: paid.receipt.receiptId } });
    expect(await eventTypes(world.store, issued.chain.chainId)).toEqual([
      'ChainIssued',
      'WalletCheckedOut',
      'CoinsSpent',
      'IndexHandedOff',
      'CoinsSpent',
    ]);
  });

  it('never answers with a receipt the stream does not hold when a key comes back with another price', async () => {
    const world = new EngineWorld();
    const shared = { hot: new InMemoryHotChainStore(), slices: new InMemoryWalletSliceStore() };
    const r1 = world.vendor('va', shared);
    const r2 = world.vendor('va', shared);
    const issued = await world.broker.issue({ wallet: 'server', length: 40 });
    const token = world.broker.checkoutToken(issued.chain.chainId, 'va');
    await r2.debitWallet.execute(debit(token, 1, 'clip-0'));
    await r1.debitWallet.execute(debit(token, 2, 'clip-1', 'purchase-0009'));
    // Decided on r2's older state at the same revision: it must not pass for the spend already in.
    const other = await r2.debitWallet
      .execute(debit(token, 3, 'clip-1', 'purchase-0009'))
      .catch((error: unknown) => error);
    const spends = await spendsOf(world, issued.chain.chainId);
    if ('receipt' in (other as object)) {
      const { receipt } = other as Awaited<ReturnType<typeof r2.debitWallet.execute>>;
      expect(spends).toContainEqual({
        receiptId: receipt.receiptId,
        fromIndex: receipt.fromIndex,
        toIndex: receipt.toIndex,
      });
    }
    expect(await uniquePositions(world.store, issued.chain.chainId)).toEqual(
      spends.flatMap((s) => Array.from({ length: s.toIndex - s.fromIndex + 1 }, (_, i) => s.fromIndex + i)),
    );
  });
});

async function spendsOf(
  world: EngineWorld,
  chainId: string,
): Promise<{ receiptId: string; fromIndex: number; toIndex: number }[]> {
  const out = [];
  for (const recorded of await world.store.readStream(streams.chain(chainId))) {
    const event = decode(recorded);
    if (event?.type !== 'CoinsSpent') continue;
    const { receiptId, fromIndex, toIndex } = (event as unknown as CoinsSpent).data;
    out.push({ receiptId, fromIndex, toIndex });
  }
  return out;
}
