import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { acceptedPositions, uniquePositions } from '../../test/chain-audit.js';
import type { IssuedChain } from '../../test/in-memory-broker.js';
import { type RunningVendor, VendorStack } from '../../test/vendor-stack.js';

async function spend(
  vendor: RunningVendor,
  issued: IssuedChain,
  index: number,
  count: number,
  resource = `r-${index}`,
): Promise<{ status: number; code?: string; receiptId?: string }> {
  const proof = issued.chain.spendProof(index, count);
  const response = await vendor.http('POST', '/spends', { body: { ...proof, count, resource } });
  const body = response.json<{ code?: string; receipt?: { receiptId: string } }>();
  return {
    status: response.status,
    ...(body.code ? { code: body.code } : {}),
    ...(body.receipt ? { receiptId: body.receipt.receiptId } : {}),
  };
}

/** Waits until the replicas' shared Redis record of the chain is at `revision` (a2 writes it behind). */
async function sharedRecordReaches(
  stack: VendorStack,
  vendorId: string,
  chainId: string,
  revision: number,
): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const stored = await stack.redis.hget(`${stack.redisPrefix}${vendorId}:chain:${chainId}`, 'r');
    if (stored !== null && Number(stored) >= revision) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`the shared record of ${chainId} never reached revision ${revision}`);
}

/**
 * Two replicas of one vendor share its id, key and Redis, but each keeps chains in memory. The
 * replica that did not serve a hand-off (the other one answered on the queue group) must catch
 * up instead of refusing honest payers or answering replays (real NATS, JetStream, Redis).
 */
describe('two replicas of one vendor: the one that did not serve the hand-off catches up', () => {
  let stack: VendorStack;
  let a1: RunningVendor;
  let a2: RunningVendor;
  let b: RunningVendor;

  beforeAll(async () => {
    stack = await VendorStack.start();
    a1 = await stack.vendor('va');
    a2 = await stack.vendor('va');
    b = await stack.vendor('vb');
    // a1 stops serving hand-offs: every request on va's queue group reaches a2, as in the bad draws.
    await a1.runtime.stopHandOffs();
  });
  afterAll(() => stack.dispose());

  it('A → B → A: the payer comes back to the replica that spent before and is served', async () => {
    const issued = await stack.broker.issue();
    expect(await spend(a1, issued, 1, 2)).toMatchObject({ status: 201 });
    expect(await spend(b, issued, 3, 3)).toMatchObject({ status: 201 }); // a2 hands the chain to vb
    await sharedRecordReaches(stack, 'va', issued.chain.chainId, 2); // Redis knows the hand-off
    const back = await spend(a1, issued, 6, 1);
    expect(back).toMatchObject({ status: 201 });
    expect(await uniquePositions(stack.store, issued.chain.chainId)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('a retry past its deadline at a stale replica gets the receipt the other replica recorded', async () => {
    const issued = await stack.broker.issue();
    const chainId = issued.chain.chainId;
    const pay = (position: number): Record<string, string> => ({
      'x-netpay-payment': `${chainId}.${position}.${issued.chain.payword(position)}`,
    });
    expect((await a2.http('GET', '/articles/a1', { headers: pay(2) })).status).toBe(200); // a2 knows 1..2
    const recorded = await a1.http('GET', '/articles/a1', { headers: pay(4) }); // its answer is "lost"
    expect(recorded.status).toBe(200);
    // The payer retries at a2, whose memory stops at 2, and its deadline has passed meanwhile.
    const late = await a2.http('GET', '/articles/a1', {
      headers: { ...pay(4), 'x-netpay-deadline': new Date(Date.now() - 1_000).toISOString() },
    });
    expect({ status: late.status, receipt: late.headers.get('x-netpay-receipt-id') }).toEqual({
      status: 200,
      receipt: recorded.headers.get('x-netpay-receipt-id'),
    });
    expect(await uniquePositions(stack.store, chainId)).toEqual([1, 2, 3, 4]);
  });

  it('an old X-NetPay-Payment replayed at the stale replica is PAYWORD_REPLAYED, not the old receipt again', async () => {
    const issued = await stack.broker.issue();
    const chainId = issued.chain.chainId;
    const payment = `${chainId}.2.${issued.chain.payword(2)}`;
    const first = await a1.http('GET', '/articles/a1', { headers: { 'x-netpay-payment': payment } });
    expect(first.status).toBe(200);
    expect(await spend(b, issued, 3, 1)).toMatchObject({ status: 201 }); // a2 hands the chain to vb
    await sharedRecordReaches(stack, 'va', chainId, 2);
    for (const replica of [a1, a2]) {
      const replay = await replica.http('GET', '/articles/a1', { headers: { 'x-netpay-payment': payment } });
      expect({ status: replay.status, code: replay.json<{ code?: string }>().code }).toEqual({
        status: 409,
        code: 'SPEND.PAYWORD_REPLAYED',
      });
      expect(replay.headers.get('x-netpay-receipt-id')).toBeNull();
    }
    expect(await acceptedPositions(stack.store, chainId)).toEqual([
      { position: 1, vendorId: 'va' },
      { position: 2, vendorId: 'va' },
      { position: 3, vendorId: 'vb' },
    ]);
  });
});

describe('a vendor restarted after another vendor claimed its server-side wallet', () => {
  let stack: VendorStack;

  beforeAll(async () => {
    stack = await VendorStack.start();
  });
  afterAll(() => stack.dispose());

  const debit = (vendor: RunningVendor, token: string, count: number) =>
    vendor.http('POST', '/debits', {
      body: { checkoutToken: token, count, resource: 'clip' },
      headers: { 'idempotency-key': randomUUID() },
    });

  it('picks the next unspent payword for a fresh debit instead of answering PAYWORD_REPLAYED', async () => {
    const issued = await stack.broker.issue({ wallet: 'server', length: 400 });
    const chainId = issued.chain.chainId;
    const tokenX = stack.broker.checkoutToken(chainId, 'vx');
    const tokenY = stack.broker.checkoutToken(chainId, 'vy');
    const x = await stack.vendor('vx');
    for (let i = 0; i < 4; i++) expect((await debit(x, tokenX, 12)).status).toBe(201); // 1..48
    await x.close(); // vx goes away with its slice and its hot record in Redis
    const y = await stack.vendor('vy');
    expect((await debit(y, tokenY, 20)).status).toBe(201); // claims at 49: 49..68
    expect((await debit(y, tokenY, 15)).status).toBe(201); // 69..83
    const restarted = await stack.vendor('vx');
    const fresh = await debit(restarted, tokenX, 5);
    expect({ status: fresh.status, body: fresh.json() }).toMatchObject({
      status: 201,
      body: { duplicate: false, receipt: { fromIndex: 84, toIndex: 88 } },
    });
    const positions = await uniquePositions(stack.store, chainId);
    expect(positions).toEqual(Array.from({ length: 88 }, (_, i) => i + 1));
  });
});
