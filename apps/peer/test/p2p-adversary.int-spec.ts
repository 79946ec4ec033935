import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { EventStore } from '#event-store';
import { anEvent, connectTestStore, testNatsOptions, uniqueName } from '#event-store/testing';
import { deterministicEventId, p2pStreams } from '#events';
import {
  createSigner,
  generateSigningKey,
  newNonce,
  P2P,
  payloadDigest,
  signIndexStatement,
  signPeerCall,
  signPeerRegistration,
  type Signer,
  statementDigest,
} from '#protocol';
import { fuzzRoutes } from '../../../libs/platform/src/http/testing/fuzz-routes.js';
import { Audit } from '../../auditor/src/core/index.js';
import { PeerConfig } from '../src/peer.config.js';
import { CONTROL_TOKEN, file, startCis, startPeer, type TestCis, type TestPeer } from './p2p-harness.js';

// Item 8 of issue 18 from the outside: what an attacker can send the CIS and a peer over HTTP, and
// what a peer's NATS identity can do to the CIS's streams. Real NATS/JetStream and Redis; the CIS
// and the S-peer connect with their own identities (roles `cis`, `peer-pa`).
const streamName = uniqueName('P2PADV');
const subjectPrefix = `${streamName.toLowerCase()}.events`;
const stores: EventStore[] = [];
const conns: NatsConnection[] = [];
async function store(role: string): Promise<EventStore> {
  const s = await connectTestStore({ streamName, subjectPrefix, requestTimeoutMs: 3_000 }, role);
  stores.push(s);
  return s;
}

let cis: TestCis;
let reader: EventStore;
const peers: TestPeer[] = [];
const eventCount = async (): Promise<number> => (await reader.readAll()).length;

function keyOf(p: TestPeer): Signer {
  const config = p.app.get(PeerConfig);
  return createSigner({
    keyId: config.keyId,
    privateKey: config.key,
    publicKey: p.core.certificate!.publicKey,
  });
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID(), ...headers },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    type: response.headers.get('content-type') ?? '',
    body: (text ? JSON.parse(text) : {}) as Record<string, unknown>,
  };
}

function signedCall(signer: Signer, pseudonym: string, action: string, payload: object) {
  return {
    ...payload,
    call: signPeerCall(
      { pseudonym, action, digest: payloadDigest(payload), at: new Date().toISOString(), nonce: newNonce() },
      signer,
    ),
  };
}

beforeAll(async () => {
  reader = await store('auditor');
  cis = await startCis({ store: await store('cis'), env: { CIS_POLICY_BASE_COINS: '40' } });
  peers.push(
    await startPeer({ name: 'pa', cis, store: await store('peer-pa'), content: [file('pa-song.mp3', 2)] }),
    await startPeer({ name: 'pb', cis, content: [file('pb-film.mp4', 1)] }),
  );
}, 60_000);

afterAll(async () => {
  for (const p of peers) await p.close();
  await cis?.close();
  for (const c of conns) await c.close().catch(() => undefined);
  for (const s of stores) await s.close().catch(() => undefined);
});

describe('P2P-NetPay against an attacker', () => {
  it('registration needs the private key: nobody binds their identity to another peer’s key', async () => {
    const victim = createSigner(generateSigningKey('victim'));
    const mallory = createSigner(generateSigningKey('mallory'));
    const body = signPeerRegistration(
      {
        identity: 'mallory@example.test',
        publicKey: victim.publicKey,
        keyId: 'victim',
        at: new Date().toISOString(),
        nonce: newNonce(),
      },
      mallory,
    );
    const before = await eventCount();
    const forged = await post(`${cis.url}/peers`, body);
    expect([forged.status, forged.body.code]).toEqual([401, P2P.CALL_SIGNATURE_INVALID]);
    const unsigned = await post(`${cis.url}/peers`, {
      identity: 'x',
      publicKey: victim.publicKey,
      keyId: 'victim',
    });
    expect(unsigned.status).toBe(400);
    const stale = await post(
      `${cis.url}/peers`,
      signPeerRegistration(
        {
          identity: 'v',
          publicKey: victim.publicKey,
          keyId: 'victim',
          at: '2020-01-01T00:00:00.000Z',
          nonce: newNonce(),
        },
        victim,
      ),
    );
    expect([stale.status, stale.body.code]).toEqual([401, P2P.CALL_STALE]);
    expect(await eventCount()).toBe(before);
  });

  it('a peer cannot act for another: calls signed with another key, or for another action, are refused', async () => {
    const [a, b] = [peers[0]!, peers[1]!];
    const before = await eventCount();
    // B signs a purchase "as A", and a redemption in A's name
    for (const [path, action, payload] of [
      ['purchases', 'buy', { coins: 5, walletNonce: newNonce() + newNonce() }],
      ['redemptions', 'redeem', { statements: [], proofs: [] }],
      [
        'content',
        'announce',
        { contentId: 'x', title: 'x', price: 1, sha256: 'ab'.repeat(32), endpoint: b.url },
      ],
    ] as const) {
      const asA = await post(
        `${cis.url}/peers/${a.core.pseudonym}/${path}`,
        signedCall(keyOf(b), a.core.pseudonym!, action, payload),
      );
      expect([path, asA.status, asA.body.code]).toEqual([path, 401, P2P.CALL_SIGNATURE_INVALID]);
    }
    // A's own signature, but over a heartbeat, replayed as a purchase
    const heartbeat = signedCall(keyOf(a), a.core.pseudonym!, 'heartbeat', {});
    const swapped = await post(`${cis.url}/peers/${a.core.pseudonym}/purchases`, {
      coins: 5,
      walletNonce: newNonce() + newNonce(),
      call: heartbeat.call,
    });
    expect([swapped.status, swapped.body.code]).toEqual([401, P2P.CALL_SIGNATURE_INVALID]);
    // A's signed purchase with the payload changed on the way
    const real = signedCall(keyOf(a), a.core.pseudonym!, 'buy', {
      coins: 1,
      walletNonce: newNonce() + newNonce(),
    });
    const tampered = await post(`${cis.url}/peers/${a.core.pseudonym}/purchases`, { ...real, coins: 40 });
    expect([tampered.status, tampered.body.code]).toEqual([401, P2P.CALL_SIGNATURE_INVALID]);
    expect(await eventCount()).toBe(before);
  });

  it('a forged double-spend proof frames nobody; a revoked pseudonym can neither buy nor spend', async () => {
    const [a, b] = [peers[0]!, peers[1]!];
    const cheat = await startPeer({ name: 'pc', cis, content: [] });
    peers.push(cheat);
    await cheat.core.buy(6);
    const paid = await cheat.core.fetch(a.url, 'pa-song.mp3');
    // B makes up the second statement with its own key: no proof, nobody revoked
    const madeUp = signIndexStatement(
      { ...paid.payment.statement, payee: b.core.pseudonym!, nonce: newNonce(), keyId: 'key-pb' },
      keyOf(b),
    );
    const framed = await post(`${cis.url}/double-spends`, { first: paid.payment.statement, second: madeUp });
    expect(framed.status).toBe(422);
    expect(framed.body.code).toMatch(/^P2P\./);
    expect(
      (await reader.readStream(p2pStreams.peer(cheat.core.pseudonym!))).map((e) => e.type),
    ).not.toContain('PseudonymRevoked');
    // The real proof: the cheater's own second statement over the same positions
    const second = signIndexStatement(
      { ...paid.payment.statement, payee: b.core.pseudonym!, contentId: 'pb-film.mp4', nonce: newNonce() },
      keyOf(cheat),
    );
    const proven = await post(`${cis.url}/double-spends`, { first: paid.payment.statement, second });
    expect(proven.status).toBe(201);
    // Revoked: the CIS refuses its calls, and an S-peer that fetched the notices refuses its coins
    const buy = await post(
      `${cis.url}/peers/${cheat.core.pseudonym}/purchases`,
      signedCall(keyOf(cheat), cheat.core.pseudonym!, 'buy', {
        coins: 1,
        walletNonce: newNonce() + newNonce(),
      }),
    );
    expect([buy.status, buy.body.code]).toEqual([403, P2P.PSEUDONYM_REVOKED]);
    // A reaches the store: the revocation holds there at once, before A fetches any notice
    expect(a.core.isRevoked(cheat.core.pseudonym!)).toBe(false);
    const atA = await post(`${a.url}/content/pa-song.mp3/purchase`, {
      payment: await cheat.core.prepare(a.core.pseudonym!, 'pa-song.mp3', 2),
    });
    expect([atA.status, atA.body.code]).toEqual([403, P2P.PSEUDONYM_REVOKED]);
    // B works without the store: it refuses once it fetched the signed notices
    await b.core.refreshRevocations();
    const before = await eventCount();
    const spend = await post(`${b.url}/content/pb-film.mp4/purchase`, {
      payment: await cheat.core.prepare(b.core.pseudonym!, 'pb-film.mp4', 1),
    });
    expect([spend.status, spend.body.code]).toEqual([403, P2P.PSEUDONYM_REVOKED]);
    expect(await eventCount()).toBe(before);
  });

  it('a peer’s NATS identity cannot write the CIS’s streams nor publish on the CIS’s subjects', async () => {
    const peerStore = await store('peer-pa');
    const victim = peers[0]!.core.pseudonym!;
    for (const stream of [p2pStreams.peer(victim), p2pStreams.content(victim)]) {
      await expect(
        peerStore.appendToStream(stream, [anEvent('PseudonymRevoked', { pseudonym: victim })], {
          expectedRevision: 'any',
        }),
      ).rejects.toThrow();
    }
    expect((await reader.readStream(p2pStreams.peer(victim))).map((e) => e.type)).not.toContain(
      'PseudonymRevoked',
    );
    // A raw publish on a CIS subject: the server refuses it (Permissions Violation)
    const nc = await connect({ ...testNatsOptions('peer-pa'), name: 'adv-peer-pa' });
    conns.push(nc);
    const subject = `${subjectPrefix}.peer.${victim}`;
    const refused = (async () => {
      for await (const s of nc.status())
        if (
          s.type === 'error' &&
          /Permissions Violation/.test(String(s.error)) &&
          String(s.error).includes(subject)
        )
          return true;
      return false;
    })();
    nc.publish(subject, '{}');
    await nc.flush();
    expect(
      await Promise.race([refused, new Promise<boolean>((r) => setTimeout(() => r(false), 3_000))]),
    ).toBe(true);
    // What it may write: the spends it accepted (p2pchain)
    await peerStore.appendToStream(p2pStreams.chain(`${victim}_c0123456789abcdef`), [anEvent('Probe')], {
      expectedRevision: 'any',
    });
  });

  it('junk a peer writes into a chain’s spends is skipped: the payer pays on, the payee is paid', async () => {
    // An attack probe wrote malformed CoinsSpentAtPeer events into a victim's p2pchain stream (any
    // peer may write there): S-peers with the store then refused every payment of that chain with
    // PROTOCOL.BAD_VALUE (the payer's coins lost each time), and the CIS's redemption of a
    // statement of it failed with a 500.
    const [withStore, storeless] = [peers[0]!, peers[1]!];
    const payer = await startPeer({ name: 'pj', cis, content: [] });
    peers.push(payer);
    await payer.core.buy(12);
    const first = await payer.core.fetch(withStore.url, 'pa-song.mp3');
    const chainId = first.payment.statement.chainId;
    const attacker = await store('peer-pb');
    for (const data of [
      { statement: null },
      {},
      { statement: { chainId }, digest: 'ab', payee: 'x' },
      { statement: 'junk', digest: 7 },
    ]) {
      await attacker.appendToStream(p2pStreams.chain(chainId), [anEvent('CoinsSpentAtPeer', data)], {
        expectedRevision: 'any',
      });
    }
    const second = await payer.core.fetch(withStore.url, 'pa-song.mp3');
    expect(second.sale.receipt).toMatchObject({ fromIndex: 3, toIndex: 4, recorded: 'store' });
    const third = await payer.core.fetch(storeless.url, 'pb-film.mp4');
    expect(third.sale.receipt).toMatchObject({ fromIndex: 5, toIndex: 5, recorded: 'journal' });
    const redeemed = await storeless.core.redeem();
    expect(redeemed).toMatchObject({ refused: [] });
    expect(redeemed.coins).toBeGreaterThanOrEqual(1);
  });

  it('a statement in the chain that is not the holder’s own is no double spend at the S-peer either', async () => {
    // The CIS counts only the holder's statements (its pseudonym, its key) as recorded spends; the
    // S-peer read every statement its key verifies. The payer signs, with its own key, one naming
    // another pseudonym (or another key id) over positions it then pays honestly: the S-peer took
    // it for a double spend, refused the payment, revoked the payer locally and kept a proof the
    // CIS refuses (422 P2P.PROOF_INVALID), where the CIS would have paid the statement.
    const [withStore, other] = [peers[0]!, peers[1]!];
    const payer = await startPeer({ name: 'pn', cis, content: [] });
    peers.push(payer);
    await payer.core.buy(6);
    const honest = await payer.core.prepare(withStore.core.pseudonym!, 'pa-song.mp3', 2);
    const s = honest.statement;
    const writer = await store('peer-pb');
    const key = payer.app.get(PeerConfig);
    const sameKeyOtherId = createSigner({
      keyId: 'another-key-id',
      privateKey: key.key,
      publicKey: payer.core.certificate!.publicKey,
    });
    for (const named of [
      signIndexStatement({ ...s, pseudonym: other.core.pseudonym!, nonce: newNonce() }, keyOf(payer)),
      signIndexStatement({ ...s, keyId: sameKeyOtherId.keyId, nonce: newNonce() }, sameKeyOtherId),
    ]) {
      await writer.appendToStream(
        p2pStreams.chain(s.chainId),
        [
          anEvent('CoinsSpentAtPeer', {
            chainId: s.chainId,
            payee: named.payee,
            statement: named,
            digest: statementDigest(named),
            via: 'online',
            at: new Date().toISOString(),
          }),
        ],
        { expectedRevision: 'any' },
      );
    }
    const paid = await post(`${withStore.url}/content/pa-song.mp3/purchase`, { payment: honest });
    expect([paid.status, paid.body.code]).toEqual([200, undefined]);
    expect(paid.body.receipt).toMatchObject({ fromIndex: 1, toIndex: 2, recorded: 'store' });
    expect(withStore.core.isRevoked(payer.core.pseudonym!)).toBe(false);
    expect(withStore.core.journal.unreportedProofs()).toEqual([]);
    // The auditor reads them as the CIS and the S-peer do: two records that are not the holder's
    // spends, no double spend nobody proved (the key-id variant was counted as one before).
    const audit = new Audit({ cisKeys: cis.keys });
    for (const e of await reader.readAll()) audit.feed(e);
    const codes = audit
      .finish()
      .violations.filter((v) => v.chainId === s.chainId)
      .map((v) => v.code);
    expect(codes).toEqual(['R6.SPEND_UNVERIFIED', 'R6.SPEND_UNVERIFIED']);
  }, 60_000);

  it('a spend’s event id taken in advance does not hide it: the second S-peer catches the double spend at once', async () => {
    // The payer knows its statement's digest, hence the id the S-peer recorded it under
    // (deterministicEventId('CoinsSpentAtPeer', digest)). Publishing junk under that id first (any
    // peer may write p2pchain), it made the S-peer's append a silent duplicate: the S-peer answered
    // 'store', nothing readable was recorded, and a second S-peer that reaches the store sold the
    // same positions again; at redemption the first, which had done everything right, was refused.
    const first = peers[0]!;
    const second = await startPeer({
      name: 'pk',
      cis,
      store: await store('peer-pb'),
      content: [file('pk-song.mp3', 2)],
    });
    peers.push(second);
    const payer = await startPeer({ name: 'pl', cis, content: [] });
    peers.push(payer);
    await payer.core.buy(6);
    const a = await payer.core.prepare(first.core.pseudonym!, 'pa-song.mp3', 2);
    const digest = statementDigest(a.statement);
    const squatter = await store('peer-pb');
    await squatter.appendToStream(
      p2pStreams.chain(a.statement.chainId),
      [anEvent('CoinsSpentAtPeer', { junk: true }, deterministicEventId('CoinsSpentAtPeer', digest))],
      { expectedRevision: 'any' },
    );
    const sold = await post(`${first.url}/content/pa-song.mp3/purchase`, { payment: a });
    expect([sold.status, (sold.body.receipt as { recorded?: string }).recorded]).toEqual([200, 'store']);
    const b = {
      ...a,
      statement: signIndexStatement(
        { ...a.statement, payee: second.core.pseudonym!, contentId: 'pk-song.mp3', nonce: newNonce() },
        keyOf(payer),
      ),
    };
    const again = await post(`${second.url}/content/pk-song.mp3/purchase`, { payment: b });
    expect([again.status, again.body.code]).toEqual([409, P2P.DOUBLE_SPEND]);
  }, 60_000);

  it('hostile JSON at every CIS and peer route: never a 5xx, a stable code, nothing appended by a refusal', async () => {
    const [a] = peers;
    const sent =
      (await fuzzRoutes(
        { baseUrl: cis.url, headers: () => ({ 'idempotency-key': randomUUID() }), eventCount },
        15,
      )) +
      (await fuzzRoutes(
        {
          baseUrl: a!.url,
          headers: () => ({ authorization: `Bearer ${CONTROL_TOKEN}`, 'idempotency-key': randomUUID() }),
          eventCount,
        },
        15,
      ));
    expect(sent).toBeGreaterThan(100);
  }, 240_000);

  it('the peer’s own routes refuse bad input with a stable 4xx, a peer out of reach with a 503', async () => {
    const a = peers[0]!;
    const control = (path: string, body: unknown) =>
      post(`${a.url}/control/${path}`, body, { authorization: `Bearer ${CONTROL_TOKEN}` });
    const answers = [
      await control('buy', { coins: 1.5 }),
      await control('buy', { coins: -1 }),
      await control('buy', { coins: 1e12 }),
      await control('buy', { coins: '3' }),
      await control('fetch', { endpoint: 'not a url', contentId: 'x' }),
      await control('fetch', { endpoint: 'http://127.0.0.1:1', contentId: 'x' }),
      await control('send', { endpoint: 'not a url', contentId: 'x', payment: {} }),
      await control('send', { endpoint: peers[1]!.url, contentId: 'pb-film.mp4', payment: { x: 1 } }),
      await control('links', { cis: 'yes' }),
      await post(`${a.url}/content/pa-song.mp3/purchase`, { payment: null }),
      await post(`${a.url}/content/nothing-here/purchase`, { payment: {} }),
      await post(`${a.url}/control/buy`, { coins: 1 }),
    ];
    for (const answer of answers) {
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.status === 503 || answer.status < 500).toBe(true);
      expect(answer.type).toMatch(/^application\/problem\+json/);
      expect(String(answer.body.code)).toMatch(/^[A-Z][A-Z0-9_]*(\.[A-Z0-9_]+)+$/);
    }
    expect(answers.map((x) => x.status)).not.toContain(500);
  });

  it('the owner’s control POSTs are idempotent: a buy retried with its Idempotency-Key buys once', async () => {
    const a = peers[0]!;
    const owner = { authorization: `Bearer ${CONTROL_TOKEN}` };
    const coinsHeld = async () =>
      ((await (await fetch(`${a.url}/control/status`, { headers: owner })).json()) as { walletCoins: number })
        .walletCoins;
    const before = await coinsHeld();
    const once = { ...owner, 'idempotency-key': `buy-${randomUUID()}` };
    const first = await post(`${a.url}/control/buy`, { coins: 2 }, once);
    const retried = await post(`${a.url}/control/buy`, { coins: 2 }, once);
    expect(first.status).toBe(201);
    expect(retried).toEqual(first);
    expect(await coinsHeld()).toBe(before + 2);
    const reused = await post(`${a.url}/control/buy`, { coins: 3 }, once);
    expect([reused.status, reused.body.code]).toEqual([422, 'IDEMPOTENCY.KEY_REUSED']);
    const keyless = await fetch(`${a.url}/control/buy`, {
      method: 'POST',
      headers: { ...owner, 'content-type': 'application/json' },
      body: JSON.stringify({ coins: 2 }),
    });
    expect(keyless.status).toBe(400);
    expect(await coinsHeld()).toBe(before + 2);
  }, 60_000);

  it('one purchase per owner’s request: bought again under the same operation, the CIS answers the same chain, once in the wallet', async () => {
    const a = peers[0]!;
    const before = a.core.walletRemaining;
    const first = await a.core.buy(2, 'control:owner-retry-1');
    // The owner's call failed after the CIS sold (no answer kept): the retry is the same purchase.
    const again = await a.core.buy(2, 'control:owner-retry-1');
    expect(again.chainId).toBe(first.chainId);
    expect(a.core.walletRemaining).toBe(before + 2);
    const other = await a.core.buy(2, 'control:owner-retry-2');
    expect(other.chainId).not.toBe(first.chainId);
    // Two at once under one operation: one purchase, added once.
    const [x, y] = await Promise.all([
      a.core.buy(2, 'control:owner-retry-3'),
      a.core.buy(2, 'control:owner-retry-3'),
    ]);
    expect(y.chainId).toBe(x.chainId);
    expect(a.core.walletRemaining).toBe(before + 6);
  }, 60_000);

  it('a seller the CIS listed as offline is listed again at its next heartbeat, and paid at its listed price', async () => {
    const [a, b] = [peers[0]!, peers[1]!];
    const pseudonym = a.core.certificate!.pseudonym;
    expect(await cis.core.withdraw(pseudonym, 'pa-song.mp3', 'offline')).toBe(true);
    expect(cis.core.listedBy(pseudonym)).not.toContain('pa-song.mp3');
    await b.core.buy(10);
    expect(await b.core.fetch(a.url, 'pa-song.mp3').catch((e: { code: string }) => e.code)).toBe(
      'PEER.OFFER_UNLISTED',
    );
    await a.core.heartbeat();
    expect(cis.core.listedBy(pseudonym)).toContain('pa-song.mp3');
    expect((await b.core.fetch(a.url, 'pa-song.mp3')).sale.receipt.payee).toBe(pseudonym);
  }, 60_000);

  it('a CIS purchase whose answer was lost is answered again to a retry signed afresh under its key, and to nobody else', async () => {
    const a = peers[0]!;
    const signer = keyOf(a);
    const pseudonym = a.core.certificate!.pseudonym;
    const url = `${cis.url}/peers/${pseudonym}/purchases`;
    const payload = { coins: 2, walletNonce: 'ab'.repeat(32) };
    const key = { 'idempotency-key': `cis-buy-${randomUUID()}` };
    // A stranger who learnt the key first: refused, and the key is not taken by the refusal.
    const stranger = createSigner(generateSigningKey('stranger'));
    const early = await post(url, signedCall(stranger, pseudonym, 'buy', payload), key);
    expect(early.status).toBe(401);
    const sent = signedCall(signer, pseudonym, 'buy', payload);
    const first = await post(url, sent, key);
    expect(first.status).toBe(201);
    const before = await eventCount();
    // The very same signed call again: its nonce is spent (a copy of a call never buys or shows a seed).
    const copy = await post(url, sent, key);
    expect([copy.status, copy.body.code]).toEqual([401, 'P2P.CALL_REPLAYED']);
    // The peer signs again (a new nonce), same key and payload: the same chain and seed, nothing sold twice.
    const again = await post(url, signedCall(signer, pseudonym, 'buy', payload), key);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    // Unsigned, or signed by another key, under the same key: refused, no seed.
    const other = createSigner(generateSigningKey('intruder'));
    const forged = await post(url, signedCall(other, pseudonym, 'buy', payload), key);
    expect([forged.status, forged.body.seed]).toEqual([401, undefined]);
    // Another payload under the key is another operation.
    const reused = await post(url, signedCall(signer, pseudonym, 'buy', { ...payload, coins: 3 }), key);
    expect([reused.status, reused.body.code]).toEqual([422, 'IDEMPOTENCY.KEY_REUSED']);
    expect(await eventCount()).toBe(before);
  }, 60_000);

  it('a signed withdrawal names its content: redirected to another content it is refused, and the other stays listed', async () => {
    const b = peers[1]!;
    const signer = keyOf(b);
    const pseudonym = b.core.pseudonym!;
    const listed = (await (await fetch(`${cis.url}/content?q=pb`)).json()) as { contentId: string }[];
    expect(listed.map((e) => e.contentId)).toContain('pb-film.mp4');
    const forOther = signedCall(signer, pseudonym, 'withdraw', { contentId: 'pb-other.mp4' });
    const redirected = await post(`${cis.url}/peers/${pseudonym}/content/pb-film.mp4/withdraw`, forOther);
    expect([redirected.status, redirected.body.code]).toEqual([400, 'REQUEST.INVALID']);
    const unnamed = await post(
      `${cis.url}/peers/${pseudonym}/content/pb-film.mp4/withdraw`,
      signedCall(signer, pseudonym, 'withdraw', {}),
    );
    expect([unnamed.status, unnamed.body.code]).toEqual([400, 'REQUEST.INVALID']);
    const still = (await (await fetch(`${cis.url}/content?q=pb`)).json()) as { contentId: string }[];
    expect(still.map((e) => e.contentId)).toContain('pb-film.mp4');
  });

  it('Idempotency-Keys at the CIS are each peer’s own: one peer’s key does not block another’s call', async () => {
    const [a, b] = [peers[0]!, peers[1]!];
    const key = { 'idempotency-key': `shared-${randomUUID()}` };
    const payload = { coins: 1, walletNonce: newNonce() + newNonce() };
    const byA = await post(
      `${cis.url}/peers/${a.core.pseudonym}/purchases`,
      signedCall(keyOf(a), a.core.pseudonym!, 'buy', payload),
      key,
    );
    expect(byA.status).toBe(201);
    const other = { coins: 1, walletNonce: newNonce() + newNonce() };
    const byB = await post(
      `${cis.url}/peers/${b.core.pseudonym}/purchases`,
      signedCall(keyOf(b), b.core.pseudonym!, 'buy', other),
      key,
    );
    expect(byB.status).toBe(201);
  });

  it('an endpoint asking more than its payee listed is not paid: the CIS index (or the owner’s maxPrice) bounds the price', async () => {
    const [a, b] = [peers[0]!, peers[1]!];
    await b.core.buy(10);
    const listed = (await b.core.search('pa-song.mp3')).find((e) => e.contentId === 'pa-song.mp3')!;
    // A fake S-peer: pa's listing, at 30 coins; or an unlisted payee; a receipt nobody signed.
    let asked: Record<string, unknown> = {};
    const fake = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.method === 'GET') res.end(JSON.stringify(asked));
      else res.end(JSON.stringify({ x: 1 }));
    });
    await new Promise<void>((done) => fake.listen(0, '127.0.0.1', done));
    const url = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
    try {
      const coinsBefore = b.core.walletRemaining;
      const offer = { payee: listed.pseudonym, contentId: 'pa-song.mp3', title: 't', sha256: listed.sha256 };
      const refusal = (e: unknown) => (e as { code: string }).code;
      asked = { ...offer, price: 30 };
      expect(await b.core.fetch(url, 'pa-song.mp3').catch(refusal)).toBe('PEER.OFFER_UNLISTED');
      expect(await b.core.fetch(url, 'pa-song.mp3', 5).catch(refusal)).toBe('PEER.PRICE_ABOVE_MAX');
      asked = { ...offer, payee: 'ps_0000000000000000', price: listed.price };
      expect(await b.core.fetch(url, 'pa-song.mp3').catch(refusal)).toBe('PEER.OFFER_UNLISTED');
      asked = { ...offer, price: listed.price, sha256: 'ee'.repeat(32) };
      expect(await b.core.fetch(url, 'pa-song.mp3').catch(refusal)).toBe('PEER.OFFER_UNLISTED');
      asked = { payee: listed.pseudonym, contentId: 'pa-song.mp3', price: listed.price };
      expect(await b.core.fetch(url, 'pa-song.mp3').catch(refusal)).toBe('PEER.OFFER_UNLISTED');
      expect(b.core.walletRemaining).toBe(coinsBefore);
      // The honest endpoint at its listed price is paid as before.
      expect((await b.core.fetch(a.url, 'pa-song.mp3')).sale.receipt.payee).toBe(listed.pseudonym);
    } finally {
      await new Promise((done) => fake.close(done));
    }
  }, 60_000);

  it('hostile payloads correctly signed by a registered peer reach validation: 4xx with a stable code, never a 5xx', async () => {
    const a = peers[0]!;
    const key = keyOf(a);
    const value = fc.jsonValue({ maxDepth: 3 });
    const routes = [
      ['purchases', 'buy', ['coins', 'walletNonce']],
      ['standing', 'standing', []],
      ['content', 'announce', ['contentId', 'title', 'price', 'sha256', 'endpoint']],
      ['content/pa-song.mp3/withdraw', 'withdraw', []],
      ['heartbeat', 'heartbeat', []],
      ['redemptions', 'redeem', ['statements', 'proofs']],
    ] as const;
    for (const [path, action, fields] of routes) {
      const payload = fc.dictionary(
        fields.length > 0
          ? fc.oneof(fc.constantFrom(...fields), fc.string({ maxLength: 8 }))
          : fc.string({ maxLength: 8 }),
        value,
        { maxKeys: 6 },
      );
      await fc.assert(
        fc.asyncProperty(payload, async (p) => {
          if ('call' in p) return;
          const before = await eventCount();
          const answer = await post(
            `${cis.url}/peers/${a.core.pseudonym}/${path}`,
            signedCall(key, a.core.pseudonym!, action, p),
          );
          const where = `${path} ${JSON.stringify(p).slice(0, 200)} → ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`;
          if (answer.status >= 500) throw new Error(`a 5xx: ${where}`);
          if (answer.status >= 400) {
            if (!answer.type.startsWith('application/problem+json'))
              throw new Error(`not problem+json: ${where}`);
            if (!/^[A-Z][A-Z0-9_]*(\.[A-Z0-9_]+)+$/.test(String(answer.body.code)))
              throw new Error(`no code: ${where}`);
            if ((await eventCount()) !== before) throw new Error(`a refusal appended events: ${where}`);
          }
        }),
        { numRuns: 20 },
      );
    }
  }, 240_000);
});
