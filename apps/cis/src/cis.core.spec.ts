import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { InMemoryEventStore } from '#event-store';
import { ManualClock, NetPayError } from '#platform';
import {
  createSigner,
  generateChain,
  generateSigningKey,
  newNonce,
  signIndexStatement,
  type Signer,
} from '#protocol';
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
  const audit = async (): Promise<string[]> => {
    const a = new Audit({ cisKeys: [{ keyId: 'cis-1', publicKey: cisKey.publicKey }] });
    for (const e of await store.readAll()) a.feed(e);
    return a.finish().violations.map((v) => v.code);
  };
  return { store, clock, cis, audit };
}

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
