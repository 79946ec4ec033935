import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { EventStore, RecordedEvent } from '#event-store';
import { connectTestStore, uniqueName } from '#event-store/testing';
import { p2pStreams } from '#events';
import { NetPayError } from '#platform';
import {
  createSigner,
  generateSigningKey,
  newNonce,
  P2P,
  type P2PPayment,
  payloadDigest,
  signIndexStatement,
  signPeerCall,
  signTouchstone,
  verifyRevocationNotice,
} from '#protocol';
import { Audit, type Violation } from '../../auditor/src/core/index.js';
import { type TestCis, type TestPeer, file, startCis, startPeer } from './p2p-harness.js';

// One JetStream stream of this test's own; the CIS and each S-peer connect with their own NATS
// identity (roles `cis` and `peer-<id>`), so the rights of scripts/nats-auth.mjs are in force.
const streamName = uniqueName('P2P');
const subjectPrefix = `${streamName.toLowerCase()}.events`;
const stores: EventStore[] = [];
async function store(role: string): Promise<EventStore> {
  const s = await connectTestStore({ streamName, subjectPrefix }, role);
  stores.push(s);
  return s;
}

let cis: TestCis;
const peers: TestPeer[] = [];
let reader: EventStore;

async function peer(
  name: string,
  role: string | undefined,
  content = [file(`${name}-song.mp3`, 2)],
): Promise<TestPeer> {
  const p = await startPeer({ name, cis, content, ...(role ? { store: await store(role) } : {}) });
  peers.push(p);
  return p;
}

async function refusal(promise: Promise<unknown>): Promise<NetPayError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof NetPayError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

async function events(stream: string): Promise<RecordedEvent[]> {
  return reader.readStream(stream);
}

beforeAll(async () => {
  reader = await store('auditor');
  cis = await startCis({
    store: await store('cis'),
    env: { CIS_POLICY_BASE_COINS: '30', CIS_POLICY_SUPPLY_MULTIPLE: '2' },
  });
}, 60_000);

afterAll(async () => {
  for (const p of peers) await p.close();
  await cis?.close();
  for (const s of stores) await s.close();
});

describe('P2P-NetPay on real NATS/JetStream and Redis', () => {
  it('registers pseudonymously: the identity is sealed, the pseudonym derives from the key', async () => {
    const a = await peer('pa', 'peer-pa');
    const registered = (await events(p2pStreams.peer(a.core.pseudonym!)))[0]!;
    expect(registered.type).toBe('PeerRegistered');
    expect(JSON.stringify(registered.data)).not.toContain('pa@example.test');
    expect(registered.metadata.actor).toBe('cis');
    // Registering again (a restart) gives the same pseudonym and appends nothing.
    await a.core.start();
    expect(await events(p2pStreams.peer(a.core.pseudonym!))).toHaveLength(1);
  });

  it('an R-peer buys, searches, pays two S-peers in turn carrying T and I, each verifying off-line', async () => {
    const a = peers[0]!;
    const b = await peer('pb', 'peer-pb');
    const r = await peer('pc', 'peer-pc', []);
    await r.core.buy(20);
    const found = await r.core.search('pa song');
    expect(found.map((e) => e.pseudonym)).toEqual([a.core.pseudonym]);
    const first = await r.core.fetch(found[0]!.endpoint, found[0]!.contentId);
    expect(first.sale.receipt).toMatchObject({ fromIndex: 1, toIndex: 2, recorded: 'store' });
    expect(first.bytes.toString()).toContain('content of pa-song.mp3');
    const second = await r.core.fetch(b.url, 'pb-song.mp3');
    expect(second.sale.receipt).toMatchObject({ fromIndex: 3, toIndex: 4, recorded: 'store' });
    const spent = await events(p2pStreams.chain(first.payment.statement.chainId));
    expect(spent.map((e) => [e.type, e.metadata.actor])).toEqual([
      ['CoinsSpentAtPeer', `peer:${a.core.pseudonym}`],
      ['CoinsSpentAtPeer', `peer:${b.core.pseudonym}`],
    ]);
    // A retry of the same statement is answered the same and counted once.
    const again = await r.core.send(a.url, 'pa-song.mp3', first.payment);
    expect(again.receipt.digest).toBe(first.sale.receipt.digest);
    expect(await events(p2pStreams.chain(first.payment.statement.chainId))).toHaveLength(2);
  });

  it('adversarial payments are refused with stable codes and change nothing', async () => {
    const a = peers[0]!;
    const r = peers[2]!;
    const mallory = createSigner(generateSigningKey('cis-test-1'));
    const good = await r.core.fetch(a.url, 'pa-song.mp3');
    const chainId = good.payment.statement.chainId;
    const before = (await events(p2pStreams.chain(chainId))).length;
    // forged T: the same chain, signed by a key the S-peer did not pin
    const next = await r.core.prepare(a.core.pseudonym!, 'pa-song.mp3', 2);
    const forgedT: P2PPayment = { ...next, touchstone: signTouchstone(next.touchstone, mallory) };
    expect((await refusal(r.core.send(a.url, 'pa-song.mp3', forgedT))).code).toBe(P2P.TOUCHSTONE_INVALID);
    // forged I: signed with another key than the certified pseudonym key
    const forgedI = signIndexStatement(
      { ...good.payment.statement, fromIndex: 7, count: 2, nonce: newNonce(), keyId: 'key-pc' },
      createSigner(generateSigningKey('key-pc')),
    );
    expect(
      (await refusal(r.core.send(a.url, 'pa-song.mp3', { ...good.payment, statement: forgedI }))).code,
    ).toBe(P2P.STATEMENT_SIGNATURE_INVALID);
    // a statement made out to S-peer A, replayed by anyone at S-peer B
    const b = peers[1]!;
    expect((await refusal(r.core.send(b.url, 'pb-song.mp3', good.payment))).code).toBe(P2P.NOT_PAYEE);
    // a peer paying itself (which would count its own coins as supply) is refused before anything is signed
    const left = a.core.walletRemaining;
    expect((await refusal(a.core.fetch(a.url, 'pa-song.mp3'))).code).toBe(P2P.SELF_PAYMENT);
    expect(a.core.walletRemaining).toBe(left);
    expect(await events(p2pStreams.chain(chainId))).toHaveLength(before);
    // a signed call to the CIS played again
    const payload = {};
    const call = signPeerCall(
      {
        pseudonym: r.core.pseudonym!,
        action: 'heartbeat',
        digest: payloadDigest(payload),
        at: new Date().toISOString(),
        nonce: newNonce(),
      },
      createSigner({ keyId: 'key-pc', ...keyOf(r) }),
    );
    const post = (): Promise<Response> =>
      fetch(`${cis.url}/peers/${r.core.pseudonym}/heartbeat`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
        body: JSON.stringify({ call }),
      });
    expect((await post()).status).toBe(200);
    const replay = await post();
    expect(replay.status).toBe(401);
    expect(((await replay.json()) as { code: string }).code).toBe('P2P.CALL_REPLAYED');
  });

  it('double spending at two S-peers that reach the store: caught at once, proven, revoked', async () => {
    const [a, b] = [peers[0]!, peers[1]!];
    const cheat = await peer('pd', 'peer-pd', [file('pd-film.mp4', 1)]);
    await cheat.core.buy(10);
    const paid = await cheat.core.fetch(a.url, 'pa-song.mp3');
    // The same index shown to B, with a new statement (its only way to be paid there)
    const again = signIndexStatement(
      { ...paid.payment.statement, payee: b.core.pseudonym!, contentId: 'pb-song.mp3', nonce: newNonce() },
      createSigner({ keyId: 'key-pd', ...keyOf(cheat) }),
    );
    const caught = await refusal(
      cheat.core.send(b.url, 'pb-song.mp3', { ...paid.payment, statement: again }),
    );
    expect(caught.code).toBe(P2P.DOUBLE_SPEND);
    const chain = await events(p2pStreams.chain(paid.payment.statement.chainId));
    expect(chain.map((e) => e.type)).toEqual(['CoinsSpentAtPeer', 'DoubleSpendProven']);
    expect(chain[1]!.data).toMatchObject({ detectedAt: 'spend', overlap: [1, 2] });
    const peerEvents = await events(p2pStreams.peer(cheat.core.pseudonym!));
    const revoked = peerEvents.find((e) => e.type === 'PseudonymRevoked')!;
    const notice = (revoked.data as { notice: Parameters<typeof verifyRevocationNotice>[0] }).notice;
    expect(verifyRevocationNotice(notice, cis.keys).ok).toBe(true);
    expect(notice).toMatchObject({ kind: 'pseudonym', id: cheat.core.pseudonym, reason: 'DOUBLE_SPEND' });
    // Revoked: no more coins, its content left the index, S-peers refuse it once they know.
    expect((await refusal(cheat.core.buy(1))).code).toBe(P2P.PSEUDONYM_REVOKED);
    expect(cis.core.search('pd-film')).toHaveLength(0);
    await a.core.refreshRevocations();
    expect(a.core.isRevoked(cheat.core.pseudonym!)).toBe(true);
  });

  it('an index shown again at the S-peer that took it, in a new statement, is a double spend: one code, documented alone', async () => {
    // P2P.INDEX_REPLAYED was documented for "the same positions shown here before" and never
    // raised: that case is two statements of the holder over one position, the very proof of a
    // double spend, and is answered so (the same statement again is a retry, answered the same).
    const s = await peer('pf', undefined, [file('pf-song.mp3', 2)]);
    const cheat = await peer('pg', undefined, []);
    await cheat.core.buy(6);
    const paid = await cheat.core.fetch(s.url, 'pf-song.mp3');
    const retried = await cheat.core.send(s.url, 'pf-song.mp3', paid.payment);
    expect(retried.receipt).toEqual(paid.sale.receipt);
    const again = signIndexStatement(
      { ...paid.payment.statement, nonce: newNonce() },
      createSigner({ keyId: 'key-pg', ...keyOf(cheat) }),
    );
    const caught = await refusal(
      cheat.core.send(s.url, 'pf-song.mp3', { ...paid.payment, statement: again }),
    );
    expect([caught.status, caught.code]).toEqual([409, P2P.DOUBLE_SPEND]);
    expect(s.core.isRevoked(cheat.core.pseudonym!)).toBe(true);
    const doc = (await (await fetch(`${s.url}/docs-json`)).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, { description?: string }> }>>;
    };
    const conflict = doc.paths['/content/{contentId}/purchase']!.post!.responses['409']!;
    expect(conflict.description).toBe(P2P.DOUBLE_SPEND);
  });

  it('double spending at two disconnected S-peers: both sell off-line, caught at redemption, paid by policy', async () => {
    const d = await peer('pe', undefined, [file('pe-book.pdf', 3)]);
    const e = await peer('p1', undefined, [file('p1-book.pdf', 3)]);
    d.core.links.cis = false;
    e.core.links.cis = false;
    const cheat = await peer('p2', 'peer-p2', []);
    await cheat.core.buy(12);
    const paid = await cheat.core.fetch(d.url, 'pe-book.pdf');
    expect(paid.sale.receipt.recorded).toBe('journal');
    const again = signIndexStatement(
      { ...paid.payment.statement, payee: e.core.pseudonym!, contentId: 'p1-book.pdf', nonce: newNonce() },
      createSigner({ keyId: 'key-p2', ...keyOf(cheat) }),
    );
    const sale = await cheat.core.send(e.url, 'p1-book.pdf', { ...paid.payment, statement: again });
    expect(sale.receipt.recorded).toBe('journal'); // E could not know: it sold
    d.core.links.cis = true;
    e.core.links.cis = true;
    const first = await d.core.redeem();
    expect(first).toMatchObject({ coins: 3, amount: 3, refused: [] });
    const second = await e.core.redeem();
    expect(second).toMatchObject({ coins: 0, amount: 0, refused: [{ code: P2P.DOUBLE_SPEND }] });
    const chain = await events(p2pStreams.chain(paid.payment.statement.chainId));
    expect(
      chain.map((x) => [
        x.type,
        (x.data as { via?: string; detectedAt?: string }).via ??
          (x.data as { detectedAt?: string }).detectedAt,
      ]),
    ).toEqual([
      ['CoinsSpentAtPeer', 'upload'],
      ['DoubleSpendProven', 'redemption'],
      ['CoinsSpentAtPeer', 'upload'],
    ]);
    expect((await events(p2pStreams.peer(cheat.core.pseudonym!))).map((x) => x.type)).toContain(
      'PseudonymRevoked',
    );
    // Redeeming again pays nothing twice.
    expect(await d.core.redeem()).toMatchObject({ coins: 0, items: [] });
  });

  it('an S-peer claiming content it did not serve is paid nothing', async () => {
    const [a, b] = [peers[0]!, peers[1]!];
    const r = peers[2]!;
    const paidToA = await r.core.fetch(a.url, 'pa-song.mp3');
    // B uploads A's statement, and one it made up with its own key
    const made = signIndexStatement(
      {
        ...paidToA.payment.statement,
        payee: b.core.pseudonym!,
        fromIndex: 15,
        count: 2,
        nonce: newNonce(),
        keyId: 'key-pc',
      },
      createSigner({ keyId: 'key-pc', ...keyOf(b) }),
    );
    const answer = await b.core.cis.redeem([paidToA.payment.statement, made], []);
    expect(answer.coins).toBe(0);
    expect(answer.refused.map((x) => x.code).sort()).toEqual(
      [P2P.NOT_PAYEE, P2P.STATEMENT_SIGNATURE_INVALID].sort(),
    );
  });

  it('the contribution policy caps a free-rider and explains why; supplying raises the cap', async () => {
    const free = await peer('p3', undefined, []);
    await free.core.buy(30);
    const capped = await refusal(free.core.buy(5));
    expect(capped.code).toBe('CIS.PURCHASE_CAPPED');
    expect(capped.message).toContain('base 30 + 2 × 0');
    expect(capped.details).toMatchObject({
      policy: { allowance: 30, boughtBefore: 30, supplied: 0 },
      asked: 5,
    });
    // A (which supplied and redeems now) may buy beyond the base
    const a = peers[0]!;
    const redeemed = await a.core.redeem();
    expect(redeemed.coins).toBeGreaterThan(0);
    await a.core.buy(30);
    await a.core.buy(2 * redeemed.coins);
    expect((await refusal(a.core.buy(1))).code).toBe('CIS.PURCHASE_CAPPED');
  });

  it('the auditor replays every P2P event clean, and catches a forged spend and a forged redemption', async () => {
    const audit = async (extra: RecordedEvent[] = []): Promise<Violation[]> => {
      const a = new Audit({ cisKeys: cis.keys });
      for (const e of [...(await reader.readAll()), ...extra]) a.feed(e);
      return [...a.finish().violations];
    };
    const clean = await audit();
    expect(clean).toEqual([]);
    // A peer with NATS rights for p2pchain writes a spend it was never shown, and a redemption is doctored.
    const all = await reader.readAll();
    const spent = all.find((e) => e.type === 'CoinsSpentAtPeer')!;
    const redeemed = all.find((e) => e.type === 'PeerRedeemed' && (e.data as { coins: number }).coins > 0)!;
    const s = (spent.data as { statement: { fromIndex: number } }).statement;
    const last = all[all.length - 1]!;
    const forgedSpend: RecordedEvent = {
      ...spent,
      id: randomUUID(),
      data: { ...(spent.data as object), statement: { ...s, fromIndex: s.fromIndex + 1 } },
      revision: spent.revision + 1000,
      position: last.position + 1n,
    };
    const forgedPay: RecordedEvent = {
      ...redeemed,
      id: randomUUID(),
      data: { ...(redeemed.data as object), redemptionId: 'pr_forged', amount: 999 },
      revision: redeemed.revision + 1000,
      position: last.position + 2n,
    };
    const codes = (await audit([forgedSpend, forgedPay])).map((v) => v.code);
    expect(codes).toEqual(
      expect.arrayContaining(['R6.SPEND_UNVERIFIED', 'R6.REDEEMED_TWICE', 'R6.REDEEMED_AMOUNT_WRONG']),
    );
  });
});

/** The private key of a test peer (the harness generated it; read back from the peer's config). */
function keyOf(p: TestPeer): { privateKey: string; publicKey: string } {
  const config = p.app.get(PeerConfigToken);
  return { privateKey: config.key, publicKey: p.core.certificate!.publicKey };
}
import { PeerConfig as PeerConfigToken } from '../src/peer.config.js';
