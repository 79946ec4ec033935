import { describe, expect, it } from '@jest/globals';
import { randomBytes, randomUUID } from 'node:crypto';
import { InMemoryEventStore, type RecordedEvent } from '#event-store';
import { ManualClock, NetPayError } from '#platform';
import {
  createSigner,
  generateChain,
  generateSigningKey,
  newNonce,
  signIndexStatement,
  type Signer,
  statementDigest,
} from '#protocol';
import { p2pStreams } from '#events';
import type { P2PPolicy } from '../../auditor/src/core/checks/p2p.js';
import { Audit } from '../../auditor/src/core/index.js';
import { CisCore, type CisSettings, MemoryNonceGuard } from './cis.core.js';

const settings: CisSettings = {
  mode: 'money',
  currency: 'NZD',
  coinValue: 5,
  chainExpiresInDays: 7,
  maxCoinsPerPurchase: 1000,
  policyBase: 20,
  policyMultiple: 2,
  policyPeriodMs: 86_400_000,
  nominalGrant: 0,
  doubleSpendPolicy: 'first-recorded',
  certificateDays: 30,
  callWindowMs: 60_000,
  peerTtlMs: 90_000,
};

function world(overrides: Partial<CisSettings> = {}) {
  const store = new InMemoryEventStore();
  const clock = new ManualClock('2026-12-06T03:00:00.000Z');
  const cisKey = createSigner(generateSigningKey('cis-1'));
  const cis = new CisCore(
    store,
    clock,
    cisKey,
    randomBytes(32),
    { ...settings, ...overrides },
    new MemoryNonceGuard(clock),
  );
  const report = async (keep: (e: RecordedEvent) => boolean = () => true, cisPolicy: P2PPolicy = {}) => {
    const a = new Audit({ cisKeys: [{ keyId: 'cis-1', publicKey: cisKey.publicKey }], cisPolicy });
    for (const e of await store.readAll()) if (keep(e)) a.feed(e);
    return { codes: a.finish().violations.map((v) => v.code), figures: a.p2p.figures };
  };
  const audit = async (keep?: (e: RecordedEvent) => boolean): Promise<string[]> => (await report(keep)).codes;
  /** Another CIS process over the same store and key (a restart with other settings). */
  const restart = (more: Partial<CisSettings>): CisCore =>
    new CisCore(
      store,
      clock,
      cisKey,
      randomBytes(32),
      { ...settings, ...overrides, ...more },
      new MemoryNonceGuard(clock),
    );
  return { store, clock, cis, audit, report, restart };
}

/** R pays S `count` coins from `fromIndex` of a chain R bought. */
function pay(
  r: { pseudonym: string; key: Signer },
  s: { pseudonym: string },
  bought: { chainId: string; seed: string; touchstone: { length: number } },
  fromIndex: number,
  count: number,
) {
  const chain = generateChain({
    chainId: bought.chainId,
    alg: 'sha256',
    length: bought.touchstone.length,
    seed: bought.seed,
  });
  return signIndexStatement(
    {
      chainId: bought.chainId,
      pseudonym: r.pseudonym,
      payee: s.pseudonym,
      contentId: 'f',
      fromIndex,
      count,
      payword: chain.spendProof(fromIndex, count).payword,
      at: '2026-12-06T03:00:00.000Z',
      nonce: newNonce(),
      keyId: r.key.keyId,
    },
    r.key,
  );
}

const wallet = (): string => newNonce() + newNonce();

async function register(cis: CisCore, name: string): Promise<{ pseudonym: string; key: Signer }> {
  const key = createSigner(generateSigningKey(`key-${name}`));
  const { pseudonym } = await cis.register({ identity: name, publicKey: key.publicKey, keyId: key.keyId });
  return { pseudonym, key };
}

async function caught(p: Promise<unknown>): Promise<NetPayError> {
  try {
    await p;
  } catch (error) {
    if (error instanceof NetPayError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('the CIS', () => {
  it('binds one pseudonym to an identity: another key for it is refused, and none after a revocation', async () => {
    const { cis, store, audit } = world();
    const first = createSigner(generateSigningKey('key-first'));
    const registered = await cis.register({
      identity: 'Ann@Example.test',
      publicKey: first.publicKey,
      keyId: first.keyId,
    });
    // A retry with the same key: the same pseudonym, nothing appended.
    const before = (await store.readAll()).length;
    expect(
      (await cis.register({ identity: 'ann@example.test', publicKey: first.publicKey, keyId: first.keyId }))
        .pseudonym,
    ).toBe(registered.pseudonym);
    expect((await store.readAll()).length).toBe(before);
    const second = createSigner(generateSigningKey('key-second'));
    const again = { identity: ' ann@example.test ', publicKey: second.publicKey, keyId: 'k2' };
    expect((await caught(cis.register(again))).code).toBe('CIS.IDENTITY_REGISTERED');

    // A proven double spend revokes the pseudonym; the identity then registers no fresh key.
    const r = { pseudonym: registered.pseudonym, key: first };
    const [s1, s2] = [await register(cis, 's1'), await register(cis, 's2')];
    const bought = await cis.buy(r.pseudonym, { coins: 10, walletNonce: wallet() }, 'k');
    await cis.redeem(s1.pseudonym, { statements: [pay(r, s1, bought, 1, 3)], proofs: [] }, 'n1');
    await cis.redeem(s2.pseudonym, { statements: [pay(r, s2, bought, 1, 3)], proofs: [] }, 'n2');
    expect((await store.readAll()).filter((e) => e.type === 'PseudonymRevoked')).toHaveLength(1);
    expect((await caught(cis.register(again))).code).toBe('CIS.IDENTITY_REVOKED');
    expect((await store.readAll()).filter((e) => e.type === 'PeerIdentityBound')).toHaveLength(3); // ann, s1, s2
    expect(await audit()).toEqual([]);
  });

  it('pays nothing for a statement a peer made out to itself, and its allowance stays as it was', async () => {
    const { cis, audit } = world();
    const r = await register(cis, 'r');
    const bought = await cis.buy(r.pseudonym, { coins: 20, walletNonce: wallet() }, 'k1');
    const night = await cis.redeem(r.pseudonym, { statements: [pay(r, r, bought, 1, 20)], proofs: [] }, 'n1');
    expect(night).toMatchObject({
      coins: 0,
      amount: 0,
      refused: [expect.objectContaining({ code: 'P2P.SELF_PAYMENT' })],
    });
    // The base allowance (20) is used up: supplying nothing, r may buy nothing more.
    expect((await caught(cis.buy(r.pseudonym, { coins: 1, walletNonce: wallet() }, 'k2'))).code).toBe(
      'CIS.PURCHASE_CAPPED',
    );
    expect(await audit()).toEqual([]);
  });

  it('a statement in the chain naming another pseudonym is no double spend: the honest payee is paid', async () => {
    // Found reading the CIS: the payer signs, with its own key, a statement naming someone else and
    // records it in its chain's stream (peers may write there); the overlap made the CIS try to
    // prove a double spend of two pseudonyms, which threw 422 and failed the payee's redemption.
    const { cis, store } = world();
    const r = await register(cis, 'r');
    const s = await register(cis, 's');
    const x = await register(cis, 'x');
    const bought = await cis.buy(r.pseudonym, { coins: 20, walletNonce: wallet() }, 'k1');
    const honest = pay(r, s, bought, 1, 3);
    const named = signIndexStatement({ ...honest, pseudonym: x.pseudonym, nonce: newNonce() }, r.key);
    await store.appendToStream(p2pStreams.chain(bought.chainId), [
      {
        id: randomUUID(),
        type: 'CoinsSpentAtPeer',
        version: 1,
        data: {
          chainId: bought.chainId,
          payee: s.pseudonym,
          statement: named,
          digest: statementDigest(named),
          via: 'online',
          at: '2026-12-06T03:00:00.000Z',
        },
        metadata: { correlationId: 'c', causationId: 'c', actor: `peer:${r.pseudonym}` },
      },
    ]);
    const night = await cis.redeem(s.pseudonym, { statements: [honest], proofs: [] }, 'n1');
    expect(night).toMatchObject({ coins: 3, refused: [] });
  });

  it('nominal mode: community tokens, no bank — bought from the grant and from what a peer earned', async () => {
    const { cis, audit } = world({
      mode: 'nominal',
      currency: 'XCT',
      coinValue: 1,
      nominalGrant: 10,
      policyBase: 1000,
    });
    const r = await register(cis, 'r');
    const s = await register(cis, 's');
    const bought = await cis.buy(r.pseudonym, { coins: 10, walletNonce: newNonce() + newNonce() }, 'k1');
    expect(bought.touchstone.currency).toBe('XCT');
    expect(
      (await caught(cis.buy(r.pseudonym, { coins: 1, walletNonce: newNonce() + newNonce() }, 'k2'))).code,
    ).toBe('CIS.TOKENS_INSUFFICIENT');
    // R pays S four tokens; S redeems them as tokens, not money, and may then buy 10 + 4.
    const chain = generateChain({ chainId: bought.chainId, alg: 'sha256', length: 10, seed: bought.seed });
    const statement = signIndexStatement(
      {
        chainId: bought.chainId,
        pseudonym: r.pseudonym,
        payee: s.pseudonym,
        contentId: 'f',
        fromIndex: 1,
        count: 4,
        payword: chain.spendProof(1, 4).payword,
        at: '2026-12-06T03:00:00.000Z',
        nonce: newNonce(),
        keyId: r.key.keyId,
      },
      r.key,
    );
    const redeemed = await cis.redeem(s.pseudonym, { statements: [statement], proofs: [] }, 'night-1');
    expect(redeemed).toMatchObject({ coins: 4, amount: 4, currency: 'XCT', mode: 'nominal' });
    await cis.buy(s.pseudonym, { coins: 14, walletNonce: newNonce() + newNonce() }, 'k3');
    expect(
      (await caught(cis.buy(s.pseudonym, { coins: 1, walletNonce: newNonce() + newNonce() }, 'k4'))).code,
    ).toBe('CIS.TOKENS_INSUFFICIENT');
    expect(await audit()).toEqual([]);
  });

  it('nominal mode: the grant is an event, and the auditor proves no peer spent more tokens than it was granted and earned', async () => {
    const { cis, store, audit, report } = world({
      mode: 'nominal',
      currency: 'XCT',
      coinValue: 1,
      nominalGrant: 10,
      policyBase: 1000,
    });
    const r = await register(cis, 'r');
    const s = await register(cis, 's');
    const grants = (await store.readAll()).filter((e) => e.type === 'PeerTokensGranted');
    expect(grants.map((e) => e.data)).toEqual([
      expect.objectContaining({ pseudonym: r.pseudonym, tokens: 10, currency: 'XCT' }),
      expect.objectContaining({ pseudonym: s.pseudonym, tokens: 10, currency: 'XCT' }),
    ]);
    const bought = await cis.buy(r.pseudonym, { coins: 8, walletNonce: wallet() }, 'k1');
    await cis.redeem(s.pseudonym, { statements: [pay(r, s, bought, 1, 3)], proofs: [] }, 'night-1');
    // Conservation: 20 granted = 15 held (r 2, s 13) + 5 still in r's coins.
    const clean = await report();
    expect(clean.codes).toEqual([]);
    expect(clean.figures.tokens['XCT']).toEqual({ granted: 20, spent: 8, redeemed: 3, held: 15, inCoins: 5 });
    // A log without the grant (as before it was recorded) shows r buying tokens it never had.
    expect(await audit((e) => e.type !== 'PeerTokensGranted')).toContain('R6.TOKENS_OVERDRAWN');
  });

  it('nominal mode: a second grant to one peer, or one to an unregistered peer, is a violation', async () => {
    const { cis, store, audit } = world({ mode: 'nominal', currency: 'XCT', coinValue: 1, nominalGrant: 10 });
    const r = await register(cis, 'r');
    const grant = (pseudonym: string) => ({
      id: randomUUID(),
      type: 'PeerTokensGranted',
      version: 1,
      data: { pseudonym, tokens: 1000, currency: 'XCT', at: '2026-12-06T03:00:00.000Z' },
      metadata: { actor: 'cis', correlationId: 'tamper', causationId: 'tamper' },
    });
    await store.appendToStream(`peer-${r.pseudonym}`, [grant(r.pseudonym)], { expectedRevision: 'any' });
    expect(await audit()).toEqual(['R6.TOKENS_GRANT_INVALID']);
    await store.appendToStream('peer-ps_0000000000000000', [grant('ps_0000000000000000')], {
      expectedRevision: 'no_stream',
    });
    expect(await audit()).toEqual(['R6.TOKENS_GRANT_INVALID', 'R6.TOKENS_GRANT_INVALID']);
  });

  it('nominal mode after money mode: the grant is recorded before the first nominal purchase, and money chains are never paid in tokens', async () => {
    const { cis, store, audit, restart } = world({ policyBase: 1000 });
    const r = await register(cis, 'r');
    const s = await register(cis, 's');
    const moneyChain = await cis.buy(r.pseudonym, { coins: 4, walletNonce: wallet() }, 'm1');
    expect((await store.readAll()).some((e) => e.type === 'PeerTokensGranted')).toBe(false);
    const nominal = restart({ mode: 'nominal', currency: 'XCT', coinValue: 1, nominalGrant: 6 });
    expect(nominal.standing(await nominal.peerState(r.pseudonym)).tokens).toBe(6);
    await nominal.buy(r.pseudonym, { coins: 6, walletNonce: wallet() }, 'n1');
    const types = (await store.readStream(`peer-${r.pseudonym}`)).map((e) => e.type);
    expect(types.slice(-2)).toEqual(['PeerTokensGranted', 'PeerCoinsSold']);
    expect((await caught(nominal.buy(r.pseudonym, { coins: 1, walletNonce: wallet() }, 'n2'))).code).toBe(
      'CIS.TOKENS_INSUFFICIENT',
    );
    const night = await nominal.redeem(
      s.pseudonym,
      { statements: [pay(r, s, moneyChain, 1, 2)], proofs: [] },
      'night',
    );
    expect(night).toMatchObject({ coins: 0, amount: 0, refused: [{ code: 'CIS.CURRENCY_MISMATCH' }] });
    expect(await audit()).toEqual([]);
  });

  it.each([
    ['first-recorded', [3, 0]],
    ['cover', [3, 3]],
  ] as const)(
    'a double spend found at redemption is paid by the stated policy (%s), proven and revoked; the audit is clean',
    async (policy, paid) => {
      const { cis, store, audit } = world({ doubleSpendPolicy: policy });
      const r = await register(cis, 'r');
      const [s1, s2] = [await register(cis, 's1'), await register(cis, 's2')];
      const bought = await cis.buy(r.pseudonym, { coins: 10, walletNonce: wallet() }, 'k');
      const one = await cis.redeem(
        s1.pseudonym,
        { statements: [pay(r, s1, bought, 1, 3)], proofs: [] },
        'n1',
      );
      const two = await cis.redeem(
        s2.pseudonym,
        { statements: [pay(r, s2, bought, 1, 3)], proofs: [] },
        'n2',
      );
      expect([one.coins, two.coins]).toEqual(paid);
      expect(two.proven).toBe(1);
      if (policy === 'first-recorded')
        expect(two.refused).toEqual([expect.objectContaining({ code: 'P2P.DOUBLE_SPEND' })]);
      const all = await store.readAll();
      expect(all.find((e) => e.type === 'DoubleSpendProven')?.data).toMatchObject({
        policy,
        detectedAt: 'redemption',
        unpaidPayee: s2.pseudonym,
      });
      expect(all.filter((e) => e.type === 'PseudonymRevoked')).toHaveLength(1);
      expect((await caught(cis.buy(r.pseudonym, { coins: 1, walletNonce: wallet() }, 'k2'))).code).toBe(
        'P2P.PSEUDONYM_REVOKED',
      );
      expect(await audit()).toEqual([]);
    },
  );

  it('the auditor pinned to the operator’s policy and grant catches a CIS that sold or granted under others', async () => {
    const { cis, report } = world({
      mode: 'nominal',
      currency: 'XCT',
      coinValue: 1,
      nominalGrant: 30,
      policyBase: 25,
    });
    const r = await register(cis, 'r');
    await cis.buy(r.pseudonym, { coins: 25, walletNonce: wallet() }, 'k');
    const all = () => true;
    expect((await report(all, { base: 25, multiple: 2, nominalGrant: 30 })).codes).toEqual([]);
    expect((await report(all, { base: 20 })).codes).toContain('R6.POLICY_BROKEN');
    expect((await report(all, { nominalGrant: 10 })).codes).toEqual(['R6.TOKENS_GRANT_INVALID']);
  });

  it('withdraws the content of peers gone offline, and rebuilds the index from the events', async () => {
    const { cis, clock, store } = world();
    const a = await register(cis, 'a');
    const b = await register(cis, 'b');
    const entry = { title: 'a song', price: 2, sha256: 'ab'.repeat(32), endpoint: 'http://127.0.0.1:1' };
    await cis.announce(a.pseudonym, { contentId: 'song', ...entry });
    await cis.announce(b.pseudonym, { contentId: 'film', ...entry, title: 'a film' });
    cis.heartbeat(a.pseudonym);
    cis.heartbeat(b.pseudonym);
    clock.advance(60_000);
    cis.heartbeat(a.pseudonym);
    clock.advance(60_000); // b silent for 120 s > 90 s
    expect(await cis.sweepOffline()).toEqual([`${b.pseudonym}/film`]);
    expect(cis.search('').map((e) => e.contentId)).toEqual(['song']);
    const again = new CisCore(
      store,
      clock,
      createSigner(generateSigningKey('cis-1')),
      randomBytes(32),
      settings,
      new MemoryNonceGuard(clock),
    );
    expect(await again.rebuildIndex()).toBe(1);
    expect(again.search('song')[0]).toMatchObject({ pseudonym: a.pseudonym, contentId: 'song' });
  });

  it('a purchase retried with the same Idempotency-Key returns the same chain and sells nothing twice', async () => {
    const { cis, store } = world();
    const r = await register(cis, 'r');
    const nonce = newNonce() + newNonce();
    const one = await cis.buy(r.pseudonym, { coins: 5, walletNonce: nonce }, 'same');
    const two = await cis.buy(r.pseudonym, { coins: 5, walletNonce: nonce }, 'same');
    expect(two).toEqual(one);
    const sales = (await store.readAll()).filter((e) => e.type === 'PeerCoinsSold');
    expect(sales).toHaveLength(1);
  });
});
