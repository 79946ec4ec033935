import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ConcurrencyError } from '#event-store';
import { deterministicEventId, streams, toNewEvent } from '#events';
import { eventually } from '#event-store/testing';
import { signRevocationNotice } from '#protocol';
import { eventTypes, uniquePositions } from '../../test/chain-audit.js';
import type { IssuedChain } from '../../test/in-memory-broker.js';
import { type RunningVendor, VendorStack } from '../../test/vendor-stack.js';

async function spend(vendor: RunningVendor, issued: IssuedChain, index: number, resource = `r-${index}`) {
  const proof = issued.chain.spendProof(index, 1);
  const response = await vendor.http('POST', '/spends', { body: { ...proof, count: 1, resource } });
  return { status: response.status, code: response.json<{ code?: string }>().code };
}

describe('hand-off over NATS, judged by the positions the chain stream accepted', () => {
  let stack: VendorStack;
  let a: RunningVendor;
  let b: RunningVendor;

  beforeAll(async () => {
    stack = await VendorStack.start();
    a = await stack.vendor('va');
    b = await stack.vendor('vb');
  });
  afterAll(() => stack.dispose());

  it('moves a chain from A to B with A’s signed certificate; A then refuses it', async () => {
    const issued = await stack.broker.issue();
    expect((await spend(a, issued, 1)).status).toBe(201);
    expect((await spend(b, issued, 2)).status).toBe(201);
    expect(await eventTypes(stack.store, issued.chain.chainId)).toEqual([
      'ChainIssued',
      'CoinsSpent',
      'IndexHandedOff',
      'CoinsSpent',
    ]);
    expect((await a.http('GET', `/chains/${issued.chain.chainId}`)).json()).toMatchObject({
      holder: 'vb',
      heldHere: false,
    });
    // An old payword replayed at the old holder: refused, and the chain does not move back.
    expect(await spend(a, issued, 2, 'replay')).toEqual({ status: 409, code: 'SPEND.PAYWORD_REPLAYED' });
    expect(await spend(a, issued, 1, 'replay')).toEqual({ status: 409, code: 'SPEND.PAYWORD_REPLAYED' });
    expect(await eventTypes(stack.store, issued.chain.chainId)).toHaveLength(4);
    expect(await uniquePositions(stack.store, issued.chain.chainId)).toEqual([1, 2]);
  });

  it('claims from a holder that stopped answering; the holder’s late append fails', async () => {
    const issued = await stack.broker.issue();
    const chainId = issued.chain.chainId;
    const holder = await stack.vendor('vc');
    expect((await spend(holder, issued, 1)).status).toBe(201);
    const stale = await holder.engine.states.current(chainId);
    if (stale.status !== 'open') throw new Error('expected an open chain');
    await holder.runtime.stopHandOffs(); // vc's NATS subscription is gone: nobody answers for it
    expect((await spend(b, issued, 2)).status).toBe(201);
    expect(await eventTypes(stack.store, chainId)).toEqual([
      'ChainIssued',
      'CoinsSpent',
      'ChainClaimed',
      'CoinsSpent',
    ]);
    const late = {
      type: 'CoinsSpent' as const,
      version: 1 as const,
      data: {
        chainId,
        vendorId: 'vc',
        fromIndex: 2,
        toIndex: 2,
        payword: issued.chain.payword(2),
        receiptId: 'late',
        at: new Date().toISOString(),
      },
    };
    const meta = { correlationId: 'late', causationId: 'late', actor: 'vendor:vc' };
    await expect(
      stack.store.appendToStream(
        streams.chain(chainId),
        [toNewEvent(late, meta, deterministicEventId('late', chainId))],
        {
          expectedRevision: stale.revision,
        },
      ),
    ).rejects.toBeInstanceOf(ConcurrencyError);
    expect(await uniquePositions(stack.store, chainId)).toEqual([1, 2]);
  });

  it('a holder frozen in the middle of a hand-off: B claims after HANDOFF_TIMEOUT, shown as pending meanwhile; A’s queued spend then fails', async () => {
    const issued = await stack.broker.issue();
    const chainId = issued.chain.chainId;
    const holder = await stack.vendor('vd');
    expect((await spend(holder, issued, 1)).status).toBe(201);
    // Freeze vd on this chain: the hand-off request reaches it but cannot run, as in a process stuck or dying.
    let thaw: () => void = () => undefined;
    const frozen = holder.engine.locks.run(chainId, () => new Promise<void>((resolve) => (thaw = resolve)));
    const queuedAtHolder = spend(holder, issued, 2, 'late-at-vd'); // the payer's request at vd, stuck behind the freeze
    try {
      const atB = spend(b, issued, 2, 'at-vb');
      let pending: Record<string, unknown> = {};
      for (let i = 0; i < 100 && pending.status !== 'handoff-pending'; i++) {
        pending = (await b.http('GET', `/chains/${chainId}`)).json();
        if (pending.status !== 'handoff-pending') await new Promise((r) => setTimeout(r, 5));
      }
      expect(pending).toMatchObject({
        status: 'handoff-pending',
        holder: 'vd',
        handOff: { fromVendor: 'vd' },
      });
      expect(await atB).toEqual({ status: 201 });
      expect((await b.http('GET', `/chains/${chainId}`)).json()).toMatchObject({
        status: 'open',
        holder: 'vb',
      });
    } finally {
      thaw();
      await frozen;
    }
    expect(await queuedAtHolder).toEqual({ status: 409, code: 'SPEND.PAYWORD_REPLAYED' });
    const types = await eventTypes(stack.store, chainId);
    expect(types.slice(0, 4)).toEqual(['ChainIssued', 'CoinsSpent', 'ChainClaimed', 'CoinsSpent']);
    expect(types).not.toContain('IndexHandedOff'); // vd's late hand-off append failed too
    expect(await uniquePositions(stack.store, chainId)).toEqual([1, 2]);
  });

  it('hands a server-side wallet on with its unspent paywords', async () => {
    const issued = await stack.broker.issue({ wallet: 'server', length: 40 });
    const chainId = issued.chain.chainId;
    const atA = await a.http('POST', '/debits', {
      body: { checkoutToken: stack.broker.checkoutToken(chainId, 'va'), count: 2, resource: 'clip' },
      headers: { 'idempotency-key': randomUUID() },
    });
    expect(atA.status).toBe(201);
    const atB = await b.http('POST', '/debits', {
      body: { checkoutToken: stack.broker.checkoutToken(chainId, 'vb'), count: 3, resource: 'card' },
      headers: { 'idempotency-key': randomUUID() },
    });
    expect(atB.status).toBe(201);
    expect(atB.json()).toMatchObject({ receipt: { vendorId: 'vb', fromIndex: 3, toIndex: 5, amount: 15 } });
    expect(await eventTypes(stack.store, chainId)).toEqual([
      'ChainIssued',
      'WalletCheckedOut',
      'CoinsSpent',
      'IndexHandedOff',
      'CoinsSpent',
    ]);
    expect(await uniquePositions(stack.store, chainId)).toEqual([1, 2, 3, 4, 5]);
  });

  it('refuses chains the broker’s CRL names, on every replica', async () => {
    const issued = await stack.broker.issue();
    const replica = await stack.vendor('va');
    expect((await spend(a, issued, 1)).status).toBe(201);
    const { signer } = stack.broker;
    await stack.stub.revoke(
      signRevocationNotice(
        {
          kind: 'chain',
          id: issued.chain.chainId,
          reason: 'reported stolen',
          at: new Date().toISOString(),
          brokerKeyId: signer.keyId,
        },
        signer,
      ),
    );
    await eventually('both replicas heard the notice', () =>
      [a, replica].every((v) => v.engine.revocations.chain(issued.chain.chainId) !== undefined),
    );
    expect(await spend(replica, issued, 2)).toEqual({ status: 402, code: 'CHAIN.REVOKED' });
    expect((await a.http('GET', `/chains/${issued.chain.chainId}`)).json()).toMatchObject({
      status: 'revoked',
    });
    expect(await uniquePositions(stack.store, issued.chain.chainId)).toEqual([1]);
  });
});
