import { randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { decideIssue, foldChain } from '#chain';
import type { HandOffReply, Reply } from '#contracts';
import { deterministicEventId, streams, toNewEvent } from '#events';
import {
  createSigner,
  generateChain,
  generateSigningKey,
  publicKeyRecord,
  signTouchstone,
  signVendorKeyCertificate,
  signWalletGrant,
} from '#protocol';
import { eventTypes } from '../../test/chain-audit.js';
import { EngineWorld, handOffRequest, payment, refusedWith } from '../../test/engine-fixture.js';

const debit = (checkoutToken: string, count: number) => ({
  checkoutToken,
  count,
  resource: 'clip-1',
  idempotencyKey: randomUUID(),
  correlationId: randomUUID(),
});

/** The holder's answer to a raw message, as it goes back over NATS. */
async function ask(world: EngineWorld, holder: string, message: unknown): Promise<Reply<HandOffReply>> {
  const answer = await world.network.request(holder, message as never, 1_000);
  if (answer.kind !== 'reply') throw new Error(`no reply: ${answer.reason}`);
  return answer.reply;
}

const refusal = (code: string) => ({ ok: false, error: { code } });

describe('hand-off requests are authenticated by the requesting vendor', () => {
  it('a plain request naming any vendor gets HANDOFF.UNSIGNED and moves nothing', async () => {
    const world = new EngineWorld();
    const a = world.vendor('va');
    const issued = await world.broker.issue();
    await a.spendCoins.execute(payment(issued, 1));
    const chainId = issued.chain.chainId;
    for (const toVendor of ['ghost_thief', 'vb']) {
      expect(await ask(world, 'va', { chainId, toVendor })).toMatchObject(refusal('HANDOFF.UNSIGNED'));
    }
    expect(await eventTypes(world.store, chainId)).toEqual(['ChainIssued', 'CoinsSpent']);
  });

  it('refuses a vendor the broker did not certify, and stale, mis-addressed or replayed requests', async () => {
    const world = new EngineWorld();
    const a = world.vendor('va');
    const b = world.vendor('vb');
    const issued = await world.broker.issue();
    await a.spendCoins.execute(payment(issued, 1));
    const chainId = issued.chain.chainId;
    const now = world.clock.now();

    // ghost_thief certifies its own key with a broker key of its own making.
    const rogue = createSigner(generateSigningKey(world.broker.signer.keyId));
    const thief = createSigner(generateSigningKey('ghost-1'));
    const forgedCertificate = signVendorKeyCertificate(
      {
        vendorId: 'ghost_thief',
        keyId: thief.keyId,
        publicKey: thief.publicKey,
        notBefore: '2026-01-01T00:00:00.000Z',
        notAfter: '2027-01-01T00:00:00.000Z',
        brokerKeyId: rogue.keyId,
      },
      rogue,
    );
    const ghost = Object.assign(Object.create(b) as typeof b, {
      vendorId: 'ghost_thief',
      signer: thief,
      certificate: { get: async () => forgedCertificate },
    });
    expect(await ask(world, 'va', await handOffRequest(ghost, 'va', chainId, now))).toMatchObject(
      refusal('CERTIFICATE.INVALID'),
    );
    // B's own certificate shown by someone claiming to be another vendor.
    const impersonation = await handOffRequest(b, 'va', chainId, now, { requester: 'vc' });
    expect(await ask(world, 'va', impersonation)).toMatchObject(refusal('CERTIFICATE.WRONG_VENDOR'));
    // Signed two minutes ago, addressed to another holder.
    const stale = await handOffRequest(b, 'va', chainId, new Date(now.getTime() - 120_000));
    expect(await ask(world, 'va', stale)).toMatchObject(refusal('HANDOFF.STALE'));
    expect(await ask(world, 'va', await handOffRequest(b, 'vc', chainId, now))).toMatchObject(
      refusal('HANDOFF.MISADDRESSED'),
    );
    // A signature over other fields.
    const honest = await handOffRequest(b, 'va', chainId, now);
    const tampered = { ...honest, request: { ...honest.request, chainId: 'another_chain' } };
    expect(await ask(world, 'va', tampered)).toMatchObject(refusal('HANDOFF.SIGNATURE_INVALID'));
    expect(await ask(world, 'va', { ...honest, certificate: { vendorId: 'vb' } })).toMatchObject(
      refusal('CERTIFICATE.INVALID'),
    );
    expect(await eventTypes(world.store, chainId)).toEqual(['ChainIssued', 'CoinsSpent']);

    // The honest request works once; the same request again is a replay.
    expect(await ask(world, 'va', honest)).toMatchObject({
      ok: true,
      value: { certificate: { toVendor: 'vb' } },
    });
    await b.spendCoins.execute(payment(issued, 2));
    await a.spendCoins.execute(payment(issued, 3));
    expect(await ask(world, 'va', honest)).toMatchObject(refusal('HANDOFF.REPLAYED'));
    expect(await eventTypes(world.store, chainId)).toEqual([
      'ChainIssued',
      'CoinsSpent',
      'IndexHandedOff',
      'CoinsSpent',
      'IndexHandedOff',
      'CoinsSpent',
    ]);
  });

  it('a server-side wallet moves only to a vendor showing the broker’s grant for it', async () => {
    const world = new EngineWorld();
    const a = world.vendor('va');
    const b = world.vendor('vb');
    world.vendor('vc');
    const issued = await world.broker.issue({ wallet: 'server', length: 40 });
    const chainId = issued.chain.chainId;
    await a.debitWallet.execute(debit(world.broker.checkoutToken(chainId, 'va'), 2));
    const now = world.clock.now();
    const grant = (vendorId: string, notAfter = '2026-06-01T12:01:00.000Z') =>
      signWalletGrant(
        {
          chainId,
          vendorId,
          issuedAt: '2026-06-01T11:59:00.000Z',
          notAfter,
          brokerKeyId: world.broker.signer.keyId,
        },
        world.broker.signer,
      );

    // A registered, certified vendor the customer never authorised: no grant, someone else's, or expired.
    expect(await ask(world, 'va', await handOffRequest(b, 'va', chainId, now))).toMatchObject(
      refusal('HANDOFF.WALLET_NOT_AUTHORISED'),
    );
    const others = await handOffRequest(b, 'va', chainId, now, {}, grant('vc'));
    expect(await ask(world, 'va', others)).toMatchObject(refusal('HANDOFF.WALLET_NOT_AUTHORISED'));
    const expired = await handOffRequest(b, 'va', chainId, now, {}, grant('vb', '2026-06-01T11:59:59.999Z'));
    expect(await ask(world, 'va', expired)).toMatchObject(refusal('HANDOFF.WALLET_NOT_AUTHORISED'));
    expect(await eventTypes(world.store, chainId)).toEqual(['ChainIssued', 'WalletCheckedOut', 'CoinsSpent']);
    expect(await a.slices.payword(chainId, 3)).toBe(issued.chain.payword(3));

    // The customer authorised vb: its debit gets the grant from the broker and the paywords from A.
    const atB = await b.debitWallet.execute(debit(world.broker.checkoutToken(chainId, 'vb'), 1));
    expect(atB.receipt).toMatchObject({ vendorId: 'vb', fromIndex: 3, toIndex: 3 });
  });

  it('a vendor withdrawn after its grant was issued gets no hand-off; a later grant works; a forged withdrawal is ignored', async () => {
    const world = new EngineWorld();
    const a = world.vendor('va');
    const b = world.vendor('vb');
    const [one, two] = [
      await world.broker.issue({ wallet: 'server', length: 40 }),
      await world.broker.issue({ wallet: 'server', length: 40 }),
    ];
    for (const issued of [one, two]) {
      const chainId = issued.chain.chainId;
      await a.debitWallet.execute(debit(world.broker.checkoutToken(chainId, 'va'), 1));
    }
    const grant = (chainId: string, issuedAt: Date) =>
      signWalletGrant(
        {
          chainId,
          vendorId: 'vb',
          issuedAt: issuedAt.toISOString(),
          notAfter: new Date(issuedAt.getTime() + 60_000).toISOString(),
          brokerKeyId: world.broker.signer.keyId,
        },
        world.broker.signer,
      );
    const before = world.clock.now();
    const oldOne = grant(one.chain.chainId, before);
    const oldTwo = grant(two.chain.chainId, before);
    world.clock.advance(1_000);

    // The broker records vb's withdrawal on chain one (signed); on chain two a vendor forges one.
    await world.broker.withdraw(one.chain.chainId, 'vb');
    const stream = streams.chain(two.chain.chainId);
    const forged = {
      type: 'VendorWithdrawn' as const,
      version: 1 as const,
      data: { chainId: two.chain.chainId, vendorId: 'vb', at: world.clock.now().toISOString() },
    };
    const meta = { correlationId: 'rogue', causationId: 'rogue', actor: 'broker' };
    await world.store.appendToStream(stream, [toNewEvent(forged, meta, deterministicEventId(stream, 'f'))], {
      expectedRevision: 2,
    });
    expect(await eventTypes(world.store, one.chain.chainId)).toEqual([
      'ChainIssued',
      'WalletCheckedOut',
      'CoinsSpent',
      'VendorWithdrawn',
    ]);
    world.clock.advance(1_000);
    const now = world.clock.now();

    // The holder refuses vb's grant from before the withdrawal, however vb asks.
    const stale = await handOffRequest(b, 'va', one.chain.chainId, now, {}, oldOne);
    expect(await ask(world, 'va', stale)).toMatchObject({
      ok: false,
      error: {
        code: 'HANDOFF.WALLET_NOT_AUTHORISED',
        message: expect.stringContaining('withdrew vendor vb'),
      },
    });
    expect(await eventTypes(world.store, one.chain.chainId)).toHaveLength(4);
    // Re-authorised: a grant issued after the withdrawal moves the chain.
    const fresh = await handOffRequest(b, 'va', one.chain.chainId, now, {}, grant(one.chain.chainId, now));
    expect(await ask(world, 'va', fresh)).toMatchObject({ ok: true });
    // The unsigned withdrawal is believed by nobody: the old grant still moves chain two.
    const onTwo = await handOffRequest(b, 'va', two.chain.chainId, now, {}, oldTwo);
    expect(await ask(world, 'va', onTwo)).toMatchObject({ ok: true });
  });

  it('takes the broker keys from configuration, never from a reply: a rogue key adds no chain', async () => {
    const world = new EngineWorld();
    const b = world.vendor('vb');
    // Someone answers the broker-keys request first, adding a key of theirs.
    const rogue = createSigner(generateSigningKey('rogue-1'));
    Object.assign(world.broker, {
      brokerKeys: async () => [
        publicKeyRecord(world.broker.signer, 'broker'),
        publicKeyRecord(rogue, 'broker'),
      ],
    });
    const chainId = `c${randomUUID().replaceAll('-', '').slice(0, 20)}`;
    const chain = generateChain({ chainId, length: 10, alg: 'sha256' });
    const touchstone = signTouchstone(
      {
        chainId,
        alg: 'sha256',
        root: chain.root,
        length: 10,
        coinValue: 5,
        currency: 'NZD',
        issuedAt: '2026-01-01T00:00:00.000Z',
        expiresAt: '2027-01-01T00:00:00.000Z',
        brokerKeyId: rogue.keyId,
      },
      rogue,
    );
    const decision = decideIssue(foldChain([]), { touchstone, wallet: 'client', at: touchstone.issuedAt });
    if (!decision.ok) throw new Error(decision.message);
    const stream = streams.chain(chainId);
    const meta = { correlationId: 'rogue', causationId: 'rogue', actor: 'broker' };
    await world.store.appendToStream(
      stream,
      [toNewEvent(decision.events[0]!, meta, deterministicEventId(stream))],
      {
        expectedRevision: 'no_stream',
      },
    );
    const spend = { ...chain.spendProof(1, 1), count: 1, resource: 'article-1', correlationId: 'x' };
    // The rogue's ChainIssued carries no broker signature: the vendor does not even see a chain.
    expect(await refusedWith(b.spendCoins.execute(spend))).toBe('CHAIN.NOT_FOUND');
    expect(await eventTypes(world.store, chainId)).toEqual(['ChainIssued']);
  });
});
