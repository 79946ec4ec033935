import { describe, expect, it } from '@jest/globals';
import { ConcurrencyError } from '#event-store';
import { deterministicEventId, streams, toNewEvent } from '#events';
import { acceptedPositions, eventTypes } from '../../test/chain-audit.js';
import { EngineWorld, handOffRequest, payment, refusedWith } from '../../test/engine-fixture.js';
import { handOffResponder } from './hand-off.responder.js';

describe('hand-off between vendors', () => {
  it('moves the chain to the vendor the payer went to, with a certificate signed by the old holder', async () => {
    const world = new EngineWorld();
    const a = world.vendor('va');
    const b = world.vendor('vb');
    const issued = await world.broker.issue();
    await a.spendCoins.execute(payment(issued, 1, 2));
    await b.spendCoins.execute(payment(issued, 3, 1));
    expect(await eventTypes(world.store, issued.chain.chainId)).toEqual([
      'ChainIssued',
      'CoinsSpent',
      'IndexHandedOff',
      'CoinsSpent',
    ]);
    expect(await acceptedPositions(world.store, issued.chain.chainId)).toEqual([
      { position: 1, vendorId: 'va' },
      { position: 2, vendorId: 'va' },
      { position: 3, vendorId: 'vb' },
    ]);
    const view = await b.getChain.execute(issued.chain.chainId);
    expect(view).toMatchObject({ holder: 'vb', heldHere: true, index: 4, status: 'open' });
    expect(world.claims).toEqual([]);
  });

  it('refuses an old payword replayed at the old holder without moving the chain back', async () => {
    const world = new EngineWorld();
    const a = world.vendor('va');
    const b = world.vendor('vb');
    const issued = await world.broker.issue();
    await a.spendCoins.execute(payment(issued, 1, 2));
    await b.spendCoins.execute(payment(issued, 3));
    expect(await refusedWith(a.spendCoins.execute(payment(issued, 3, 1, 'other')))).toBe(
      'SPEND.PAYWORD_REPLAYED',
    );
    expect(await refusedWith(a.spendCoins.execute(payment(issued, 1, 2, 'other')))).toBe(
      'SPEND.PAYWORD_REPLAYED',
    );
    // Even the very same purchase retried at A is not answered again: A no longer holds the chain.
    expect(await refusedWith(a.spendCoins.execute(payment(issued, 1, 2)))).toBe('SPEND.PAYWORD_REPLAYED');
    expect((await b.getChain.execute(issued.chain.chainId)).holder).toBe('vb');
    // The customer really comes back to A: the chain follows.
    await a.spendCoins.execute(payment(issued, 4));
    expect((await acceptedPositions(world.store, issued.chain.chainId)).map((x) => x.position)).toEqual([
      1, 2, 3, 4,
    ]);
  });

  it('does not pull a chain away from its holder for a forged payword', async () => {
    const world = new EngineWorld();
    const a = world.vendor('va');
    const b = world.vendor('vb');
    const issued = await world.broker.issue();
    await a.spendCoins.execute(payment(issued, 1));
    const forged = { ...payment(issued, 2), payword: 'cd'.repeat(32) };
    expect(await refusedWith(b.spendCoins.execute(forged))).toBe('SPEND.PAYWORD_FORGED');
    expect(await eventTypes(world.store, issued.chain.chainId)).toEqual(['ChainIssued', 'CoinsSpent']);
  });

  it('claims the chain from a silent holder, whose late append then fails', async () => {
    const world = new EngineWorld();
    const a = world.vendor('va');
    const b = world.vendor('vb');
    const issued = await world.broker.issue();
    await a.spendCoins.execute(payment(issued, 1));
    const before = await a.states.current(issued.chain.chainId);
    world.network.setDown('va');
    await b.spendCoins.execute(payment(issued, 2));
    expect(world.claims).toEqual([{ chainId: issued.chain.chainId, fromVendor: 'va' }]);
    expect(await eventTypes(world.store, issued.chain.chainId)).toEqual([
      'ChainIssued',
      'CoinsSpent',
      'ChainClaimed',
      'CoinsSpent',
    ]);
    // A was mid-spend of position 2 on the state it had: the store refuses it.
    if (before.status !== 'open') throw new Error('expected an open chain');
    const late = {
      type: 'CoinsSpent' as const,
      version: 1 as const,
      data: {
        chainId: issued.chain.chainId,
        vendorId: 'va',
        fromIndex: 2,
        toIndex: 2,
        payword: issued.chain.payword(2),
        receiptId: 'late',
        at: '2026-06-01T12:00:00.000Z',
      },
    };
    const stream = streams.chain(issued.chain.chainId);
    await expect(
      world.store.appendToStream(
        stream,
        [
          toNewEvent(
            late,
            { correlationId: 'x', causationId: 'x', actor: 'vendor:va' },
            deterministicEventId('late'),
          ),
        ],
        {
          expectedRevision: before.revision,
        },
      ),
    ).rejects.toBeInstanceOf(ConcurrencyError);
    // And A's own handler, still believing it holds the chain, cannot accept position 2 again.
    expect(await refusedWith(a.spendCoins.execute(payment(issued, 2, 1, 'late')))).toBe(
      'SPEND.PAYWORD_REPLAYED',
    );
    expect((await acceptedPositions(world.store, issued.chain.chainId)).map((x) => x.position)).toEqual([
      1, 2,
    ]);
  });

  it('refuses a certificate the holder did not sign', async () => {
    const world = new EngineWorld();
    const a = world.vendor('va');
    const b = world.vendor('vb');
    const impostor = world.vendor('vx');
    const issued = await world.broker.issue();
    await a.spendCoins.execute(payment(issued, 1));
    // A answers with another vendor's key certificate: A's real signature no longer checks out.
    const honest = handOffResponder(a.handOff);
    const otherCertificate = await impostor.certificate.get();
    world.network.serve('va', async (message) => {
      const reply = await honest(message);
      return reply.ok ? { ok: true, value: { ...reply.value, holderCertificate: otherCertificate } } : reply;
    });
    expect(await refusedWith(b.spendCoins.execute(payment(issued, 2)))).toBe('HANDOFF.CERTIFICATE_INVALID');
    expect((await acceptedPositions(world.store, issued.chain.chainId)).map((x) => x.position)).toEqual([1]);
  });

  it('answers a hand-off request only for chains it holds', async () => {
    const world = new EngineWorld();
    const a = world.vendor('va');
    const b = world.vendor('vb');
    const c = world.vendor('vc');
    const issued = await world.broker.issue();
    const chainId = issued.chain.chainId;
    const now = world.clock.now();
    expect(await refusedWith(a.handOff.execute(await handOffRequest(b, 'va', chainId, now), 'c'))).toBe(
      'HANDOFF.NOT_HOLDER',
    );
    await a.spendCoins.execute(payment(issued, 1));
    const reply = await a.handOff.execute(await handOffRequest(b, 'va', chainId, now), 'c');
    expect(reply.certificate).toMatchObject({
      fromVendor: 'va',
      toVendor: 'vb',
      index: 2,
      lastPayword: issued.chain.payword(1),
    });
    expect(await a.getChain.execute(issued.chain.chainId)).toMatchObject({ holder: 'vb', heldHere: false });
    expect(await refusedWith(a.handOff.execute(await handOffRequest(c, 'va', chainId, now), 'c'))).toBe(
      'HANDOFF.NOT_HOLDER',
    );
  });

  it('passes the holder’s refusal on: a revoked pseudonym gets no chain', async () => {
    const world = new EngineWorld();
    const a = world.vendor('va');
    const b = world.vendor('vb');
    const issued = await world.broker.issue();
    await a.spendCoins.execute(payment(issued, 1));
    a.revocations.add({ kind: 'pseudonym', id: 'vb', reason: 'free-riding', at: '2026-06-01T00:00:00.000Z' });
    expect(await refusedWith(b.spendCoins.execute(payment(issued, 2)))).toBe('HANDOFF.VENDOR_REVOKED');
    expect(await eventTypes(world.store, issued.chain.chainId)).toEqual(['ChainIssued', 'CoinsSpent']);
  });

  it.each(['REDIS.UNAVAILABLE', 'NATS.UNAVAILABLE'])(
    'passes a holder’s %s on as 503, which the payer retries, not as a final refusal',
    async (code) => {
      const world = new EngineWorld();
      const a = world.vendor('va');
      const b = world.vendor('vb');
      const issued = await world.broker.issue();
      await a.spendCoins.execute(payment(issued, 1));
      world.network.serve('va', () =>
        Promise.resolve({ ok: false, error: { code, message: 'away; retry later' } }),
      );
      const failed = await b.spendCoins.execute(payment(issued, 2)).catch((error: unknown) => error);
      expect(failed).toMatchObject({ code, status: 503 });
      expect(await eventTypes(world.store, issued.chain.chainId)).toEqual(['ChainIssued', 'CoinsSpent']);
    },
  );

  // The holder is another party: its refusal's code reached the payer's answer and the
  // netpay_vendor_refusals_total{code} label as it was sent. A dishonest holder naming a new code
  // for every refusal made a new series each time at every vendor that asked it (and any code it
  // liked in the payer's answer); its message went on whole, however long.
  it('passes on only the refusal codes it knows; anything else is HANDOFF.BAD_REPLY', async () => {
    const world = new EngineWorld();
    const a = world.vendor('va');
    const b = world.vendor('vb');
    const issued = await world.broker.issue();
    await a.spendCoins.execute(payment(issued, 1));
    for (const code of ['MADE_UP.CODE_1', 'X'.repeat(5000), 'FOO.UNAVAILABLE', 'PROTOCOL.NOT_A_REAL_ONE']) {
      world.network.serve('va', () =>
        Promise.resolve({ ok: false, error: { code, message: 'm'.repeat(10_000) } }),
      );
      const failed = (await b.spendCoins.execute(payment(issued, 2)).catch((error: unknown) => error)) as {
        code: string;
        message: string;
      };
      expect(failed.code).toBe('HANDOFF.BAD_REPLY');
      expect(failed.message.length).toBeLessThan(400);
    }
    // The codes an honest holder answers still pass on.
    world.network.serve('va', () =>
      Promise.resolve({ ok: false, error: { code: 'HANDOFF.VENDOR_REVOKED', message: 'revoked' } }),
    );
    expect(await refusedWith(b.spendCoins.execute(payment(issued, 2)))).toBe('HANDOFF.VENDOR_REVOKED');
    expect(await eventTypes(world.store, issued.chain.chainId)).toEqual(['ChainIssued', 'CoinsSpent']);
  });

  const SUSPENDED_AT = '2026-06-01T00:00:00.000Z';
  const suspension = (id: string, at = SUSPENDED_AT) =>
    ({ kind: 'vendor', id, reason: 'FRAUD: 3 refused items', at }) as const;

  it('refuses a hand-off to a vendor suspended for fraud, and hands on again once the operator lifts it', async () => {
    const world = new EngineWorld();
    const a = world.vendor('va');
    const b = world.vendor('vb');
    const issued = await world.broker.issue();
    await a.spendCoins.execute(payment(issued, 1));
    a.revocations.add(suspension('vb'));
    expect(await refusedWith(b.spendCoins.execute(payment(issued, 2)))).toBe('HANDOFF.VENDOR_SUSPENDED');
    expect(await eventTypes(world.store, issued.chain.chainId)).toEqual(['ChainIssued', 'CoinsSpent']);
    // A lift heard before a late copy of the suspension: the later notice stands.
    a.revocations.add({ ...suspension('vb', '2026-06-02T00:00:00.000Z'), lifted: true });
    a.revocations.add(suspension('vb'));
    await b.spendCoins.execute(payment(issued, 2));
    expect(await eventTypes(world.store, issued.chain.chainId)).toEqual([
      'ChainIssued',
      'CoinsSpent',
      'IndexHandedOff',
      'CoinsSpent',
    ]);
  });

  it('does not ask a suspended holder: claims the chain back from it at once', async () => {
    const world = new EngineWorld();
    const a = world.vendor('va');
    const bad = world.vendor('vx');
    const issued = await world.broker.issue();
    await bad.spendCoins.execute(payment(issued, 1));
    a.revocations.add(suspension('vx'));
    await a.spendCoins.execute(payment(issued, 2));
    expect(await eventTypes(world.store, issued.chain.chainId)).toEqual([
      'ChainIssued',
      'CoinsSpent',
      'ChainClaimed',
      'CoinsSpent',
    ]);
    expect(world.claims).toEqual([{ chainId: issued.chain.chainId, fromVendor: 'vx' }]);
    expect(await acceptedPositions(world.store, issued.chain.chainId)).toEqual([
      { position: 1, vendorId: 'vx' },
      { position: 2, vendorId: 'va' },
    ]);
  });
});
