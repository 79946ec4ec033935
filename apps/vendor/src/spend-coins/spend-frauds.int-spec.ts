import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { uniquePositions } from '../../test/chain-audit.js';
import type { IssuedChain } from '../../test/in-memory-broker.js';
import { type RunningVendor, VendorStack } from '../../test/vendor-stack.js';

/** POST /spends of `count` coins at index `index` (or a tampered proof), answering the status and code. */
async function spend(
  vendor: RunningVendor,
  issued: IssuedChain,
  index: number,
  count = 1,
  extra: Record<string, unknown> = {},
): Promise<{ status: number; code?: string }> {
  const proof = issued.chain.spendProof(index, count);
  const response = await vendor.http('POST', '/spends', {
    body: { ...proof, count, resource: `r-${index}`, ...extra },
  });
  return { status: response.status, code: response.json<{ code?: string }>().code };
}

const accepted = (r: { status: number }[]) => r.filter((x) => x.status === 201).length;

describe('spend frauds, judged by the positions the chain stream accepted', () => {
  let stack: VendorStack;
  let a: RunningVendor;
  let b: RunningVendor;
  let a2: RunningVendor;

  beforeAll(async () => {
    stack = await VendorStack.start();
    a = await stack.vendor('va');
    a2 = await stack.vendor('va'); // a replica: same vendor id, key and Redis prefix
    b = await stack.vendor('vb');
  });
  afterAll(() => stack.dispose());

  it('the same payword twice at one vendor, one after the other and at the same moment', async () => {
    const issued = await stack.broker.issue();
    expect(await spend(a, issued, 1)).toEqual({ status: 201 });
    expect(await spend(a, issued, 1, 1, { resource: 'something else' })).toEqual({
      status: 409,
      code: 'SPEND.PAYWORD_REPLAYED',
    });
    const racing = await Promise.all(
      [2, 2, 2, 2].map((i, n) => spend(a, issued, i, 1, { resource: `race-${n}` })),
    );
    expect(accepted(racing)).toBe(1);
    expect(await uniquePositions(stack.store, issued.chain.chainId)).toEqual([1, 2]);
  });

  it('the same payword at the same moment at two vendors', async () => {
    for (const heldBy of [undefined, a] as const) {
      const issued = await stack.broker.issue();
      if (heldBy) expect((await spend(heldBy, issued, 1)).status).toBe(201);
      const next = heldBy ? 2 : 1;
      const racing = await Promise.all([spend(a, issued, next), spend(b, issued, next)]);
      expect(accepted(racing)).toBe(1);
      expect(racing.filter((r) => r.status !== 201).map((r) => r.code)).toEqual(['SPEND.PAYWORD_REPLAYED']);
      expect(await uniquePositions(stack.store, issued.chain.chainId)).toEqual(heldBy ? [1, 2] : [1]);
    }
  });

  it('the same payword at the same moment at two replicas of one vendor (shared Redis)', async () => {
    const issued = await stack.broker.issue();
    for (let index = 1; index <= 6; index++) {
      const racing = await Promise.all([
        spend(a, issued, index, 1, { resource: 'one article' }),
        spend(a2, issued, index, 1, { resource: 'another article' }),
      ]);
      expect(accepted(racing)).toBe(1);
    }
    // The very same request at both replicas is one spend answered twice (a retry), not two spends.
    const same = await Promise.all([spend(a, issued, 7), spend(a2, issued, 7)]);
    expect(same.every((r) => r.status === 201)).toBe(true);
    expect(await uniquePositions(stack.store, issued.chain.chainId)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    // Honest spends alternating between the replicas all go through.
    for (let index = 8; index <= 11; index++)
      expect((await spend(index % 2 ? a : a2, issued, index)).status).toBe(201);
    expect(await uniquePositions(stack.store, issued.chain.chainId)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
    ]);
  });

  it('a forged payword, at the holder and at another vendor', async () => {
    const issued = await stack.broker.issue();
    expect((await spend(a, issued, 1)).status).toBe(201);
    const forged = { payword: 'ee'.repeat(32) };
    expect(await spend(a, issued, 2, 1, forged)).toEqual({ status: 422, code: 'SPEND.PAYWORD_FORGED' });
    expect(await spend(b, issued, 2, 1, forged)).toEqual({ status: 422, code: 'SPEND.PAYWORD_FORGED' });
    const skipped = { position: 2, payword: issued.chain.payword(2) }; // 2 coins must show position 3
    expect(await spend(a, issued, 2, 2, skipped)).toEqual({ status: 422, code: 'SPEND.PAYWORD_SKIPPED' });
    expect(await uniquePositions(stack.store, issued.chain.chainId)).toEqual([1]);
    // The forgery did not move the chain: the honest spend at the holder needs no hand-off.
    expect((await spend(a, issued, 2)).status).toBe(201);
    expect((await a.http('GET', `/chains/${issued.chain.chainId}`)).json()).toMatchObject({
      holder: 'va',
      revision: 2,
    });
  });

  it('a payword from another chain', async () => {
    const issued = await stack.broker.issue();
    const other = await stack.broker.issue();
    expect((await spend(a, other, 1)).status).toBe(201);
    expect(await spend(a, issued, 1, 1, { payword: other.chain.payword(1) })).toEqual({
      status: 422,
      code: 'SPEND.PAYWORD_FORGED',
    });
    expect(await spend(a, issued, 1, 1, { payword: other.chain.payword(2), position: 2 })).toMatchObject({
      status: 422,
    });
    expect(await uniquePositions(stack.store, issued.chain.chainId)).toEqual([]);
    expect(await uniquePositions(stack.store, other.chain.chainId)).toEqual([1]);
  });

  it('Redis flushed between spends: slower, never wrong', async () => {
    const issued = await stack.broker.issue();
    expect((await spend(a, issued, 1)).status).toBe(201);
    expect((await spend(a2, issued, 2)).status).toBe(201);
    await stack.flushRedis();
    expect((await spend(a2, issued, 3)).status).toBe(201);
    await stack.flushRedis();
    expect(await spend(a, issued, 3, 1, { resource: 'replay' })).toEqual({
      status: 409,
      code: 'SPEND.PAYWORD_REPLAYED',
    });
    const fresh = await stack.vendor('va'); // a new replica: nothing in memory, nothing in Redis
    expect(await spend(fresh, issued, 2, 1, { resource: 'replay' })).toEqual({
      status: 409,
      code: 'SPEND.PAYWORD_REPLAYED',
    });
    expect((await spend(fresh, issued, 4)).status).toBe(201);
    expect(await uniquePositions(stack.store, issued.chain.chainId)).toEqual([1, 2, 3, 4]);
  });

  it('fetches the touchstone from the broker over NATS when nobody has them, but never the broker keys', async () => {
    const issued = await stack.broker.issue();
    expect((await spend(a, issued, 1)).status).toBe(201);
    // The hot store writes behind (it lingers up to 50 ms): wait for the chain's record and its
    // touchstone to be in Redis, so the fresh replica finds the record there (not only the stream,
    // whose ChainIssued carries the touchstone) and lacks just the touchstone; and so no late
    // write puts back what the test deletes.
    const chainKey = `${stack.redisPrefix}va:chain:${issued.chain.chainId}`;
    const key = `${stack.redisPrefix}va:touchstone:${issued.chain.chainId}`;
    for (let i = 0; i < 300 && (await stack.redis.exists(chainKey, key)) < 2; i++)
      await new Promise((resolve) => setTimeout(resolve, 10));
    await stack.redis.del(key);
    const before = stack.broker.calls.touchstone;
    const fresh = await stack.vendor('va');
    expect((await spend(fresh, issued, 2)).status).toBe(201);
    expect(stack.broker.calls.touchstone).toBe(before + 1);
    // The broker keys are pinned from configuration: whoever answers a keys request is not asked.
    expect(stack.broker.calls.brokerKeys).toBe(0);
    expect(await uniquePositions(stack.store, issued.chain.chainId)).toEqual([1, 2]);
  });
});
