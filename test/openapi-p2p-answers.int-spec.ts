import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { OpenAPIObject } from '@nestjs/swagger';
import type { EventStore } from '#event-store';
import { connectTestStore, uniqueName } from '#event-store/testing';
import {
  createSigner,
  generateSigningKey,
  newNonce,
  paywordAt,
  payloadDigest,
  type SignedIndexStatement,
  type Signer,
  signIndexStatement,
  signPeerCall,
  signPeerRegistration,
  type Touchstone,
} from '#protocol';
import { AnswerChecker } from '../libs/platform/src/http/testing/answer-checker.js';
import {
  CONTROL_TOKEN,
  file,
  startCis,
  startPeer,
  type TestCis,
  type TestPeer,
} from '../apps/peer/test/p2p-harness.js';

/**
 * Real answers of every documented route of the CIS and of a peer validate against the schema the
 * app's own OpenAPI document gives for their status (docs/openapi/cis.json and peer.json are
 * snapshots of those documents): the CIS on JetStream and Redis, two peers paying each other.
 */

interface Answer {
  status: number;
  text: string;
  json<T>(): T;
}

const problems: string[] = [];
const streamName = uniqueName('P2POA');
const stores: EventStore[] = [];
async function store(role: string): Promise<EventStore> {
  const s = await connectTestStore({ streamName, subjectPrefix: `${streamName.toLowerCase()}.events` }, role);
  stores.push(s);
  return s;
}

/** Sends a request and checks its answer against the document of the app at `base`. */
function client(base: string, checker: AnswerChecker, headers: Record<string, string> = {}) {
  return async (method: string, path: string, body?: unknown, extra: Record<string, string> = {}) => {
    const res = await fetch(base + path, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(method === 'POST' ? { 'idempotency-key': randomUUID() } : {}),
        ...headers,
        ...extra,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    problems.push(
      ...checker.check({
        method,
        path,
        status: res.status,
        contentType: res.headers.get('content-type'),
        body: text,
      }),
    );
    return { status: res.status, text, json: <T>() => JSON.parse(text) as T } satisfies Answer;
  };
}

async function checkerOf(base: string): Promise<AnswerChecker> {
  return new AnswerChecker((await (await fetch(`${base}/docs-json`)).json()) as OpenAPIObject);
}

/** A peer of the test's own, talking to the CIS directly with signed calls. */
class DirectPeer {
  readonly signer: Signer;
  pseudonym = '';
  constructor(
    private readonly cis: ReturnType<typeof client>,
    name: string,
  ) {
    this.signer = createSigner(generateSigningKey(`key-${name}`));
  }

  async register(): Promise<Answer> {
    const answer = await this.cis(
      'POST',
      '/peers',
      signPeerRegistration(
        {
          identity: `${this.signer.keyId}@example.test`,
          publicKey: this.signer.publicKey,
          keyId: this.signer.keyId,
          at: new Date().toISOString(),
          nonce: newNonce(),
        },
        this.signer,
      ),
      { 'idempotency-key': randomUUID() },
    );
    this.pseudonym = answer.json<{ pseudonym: string }>().pseudonym;
    return answer;
  }

  call(action: string, path: string, payload: Record<string, unknown> = {}): Promise<Answer> {
    const call = signPeerCall(
      {
        pseudonym: this.pseudonym,
        action,
        digest: payloadDigest(payload),
        at: new Date().toISOString(),
        nonce: newNonce(),
      },
      this.signer,
    );
    return this.cis(
      'POST',
      `/peers/${this.pseudonym}${path}`,
      { ...payload, call },
      {
        'idempotency-key': randomUUID(),
      },
    );
  }

  /** An index statement paying `payee` positions from..from+count-1 of a chain this peer bought. */
  pay(
    chain: { seed: string; touchstone: Touchstone },
    payee: string,
    fromIndex: number,
    count: number,
  ): SignedIndexStatement {
    const t = chain.touchstone;
    return signIndexStatement(
      {
        chainId: t.chainId,
        pseudonym: this.pseudonym,
        payee,
        contentId: 'oa-item',
        fromIndex,
        count,
        payword: paywordAt(chain.seed, t.chainId, t.alg, t.length, fromIndex + count - 1),
        at: new Date().toISOString(),
        nonce: newNonce(),
        keyId: this.signer.keyId,
      },
      this.signer,
    );
  }
}

let cis: TestCis;
let seller: TestPeer;
let buyer: TestPeer;

beforeAll(async () => {
  cis = await startCis({ store: await store('cis') });
  seller = await startPeer({
    name: 'pa',
    cis,
    content: [file('pa-song.mp3', 2)],
    store: await store('peer-pa'),
  });
  buyer = await startPeer({ name: 'pb', cis, content: [file('pb-film.mp4', 1)] });
}, 60_000);

afterAll(async () => {
  await buyer?.close();
  await seller?.close();
  await cis?.close();
  for (const s of stores) await s.close();
});

describe('real answers of the CIS and the peers match their documented schemas', () => {
  it('CIS: every operation, each answer as documented', async () => {
    problems.length = 0;
    const checker = await checkerOf(cis.url);
    const send = client(cis.url, checker);
    await send('GET', '/health');
    await send('GET', '/health/ready');
    await send('GET', '/keys');
    const [t, u] = [new DirectPeer(send, 'oa-t'), new DirectPeer(send, 'oa-u')];
    expect((await t.register()).status).toBe(201);
    await u.register();
    const bought = await t.call('buy', '/purchases', { coins: 10, walletNonce: newNonce() + newNonce() });
    expect(bought.status).toBe(201);
    const chain = bought.json<{ seed: string; touchstone: Touchstone }>();
    await t.call('standing', '/standing');
    const announced = await u.call('announce', '/content', {
      contentId: 'oa-item',
      title: 'An item',
      price: 2,
      sha256: 'ab'.repeat(32),
      endpoint: 'http://127.0.0.1:9/',
    });
    expect(announced.status).toBe(201);
    await u.call('heartbeat', '/heartbeat');
    expect((await send('GET', '/content?q=item')).json<unknown[]>().length).toBeGreaterThan(0);
    const redeemed = await u.call('redeem', '/redemptions', {
      statements: [t.pay(chain, u.pseudonym, 1, 2)],
      proofs: [],
    });
    expect(redeemed.json<{ coins: number }>().coins).toBe(2);
    await u.call('withdraw', '/content/oa-item/withdraw', { contentId: 'oa-item' });
    // T shows positions 3..4 twice: the two statements prove it.
    const proven = await send(
      'POST',
      '/double-spends',
      { first: t.pay(chain, u.pseudonym, 3, 2), second: t.pay(chain, u.pseudonym, 4, 1) },
      { 'idempotency-key': randomUUID() },
    );
    expect(proven.status).toBe(201);
    expect((await send('GET', '/revocations')).json<unknown[]>().length).toBeGreaterThan(0);
    // Refusals, each with a documented status and code.
    expect((await t.call('heartbeat', '/heartbeat')).status).toBe(403);
    expect(
      (await send('POST', `/peers/${u.pseudonym}/heartbeat`, {}, { 'idempotency-key': randomUUID() })).status,
    ).toBe(401);
    expect(
      (await u.call('buy', '/purchases', { coins: 0, walletNonce: newNonce() + newNonce() })).status,
    ).toBe(400);
    const code = (a: Answer) => [a.status, a.json<{ code?: string }>().code];
    // A pseudonym nobody registered (its calls are signed all the same).
    const ghost = new DirectPeer(send, 'oa-ghost');
    ghost.pseudonym = 'ps_0123456789abcdef';
    expect(code(await ghost.call('heartbeat', '/heartbeat'))).toEqual([404, 'CIS.PEER_NOT_REGISTERED']);
    // One signed call sent twice (its nonce is used once), under two Idempotency-Keys.
    const call = signPeerCall(
      {
        pseudonym: u.pseudonym,
        action: 'heartbeat',
        digest: payloadDigest({}),
        at: new Date().toISOString(),
        nonce: newNonce(),
      },
      u.signer,
    );
    expect((await send('POST', `/peers/${u.pseudonym}/heartbeat`, { call })).status).toBe(200);
    expect(code(await send('POST', `/peers/${u.pseudonym}/heartbeat`, { call }))).toEqual([
      401,
      'P2P.CALL_REPLAYED',
    ]);
    // Statements that cover no common position prove nothing.
    const apart = await send('POST', '/double-spends', {
      first: t.pay(chain, u.pseudonym, 6, 1),
      second: t.pay(chain, u.pseudonym, 8, 1),
    });
    expect(code(apart)).toEqual([422, 'P2P.PROOF_INVALID']);

    expect(problems).toEqual([]);
    expect(checker.unseen()).toEqual([]);
  });

  it('peer: every operation of the content and control APIs, each answer as documented', async () => {
    problems.length = 0;
    const [sellerChecker, buyerChecker] = [await checkerOf(seller.url), await checkerOf(buyer.url)];
    const shop = client(seller.url, sellerChecker);
    const own = client(buyer.url, buyerChecker, { authorization: `Bearer ${CONTROL_TOKEN}` });
    const sellerControl = client(seller.url, sellerChecker, { authorization: `Bearer ${CONTROL_TOKEN}` });
    for (const path of ['/health', '/health/ready', '/content', '/content/pa-song.mp3/offer'])
      await shop('GET', path);
    expect((await shop('GET', '/content/nothing-here/offer')).status).toBe(404);

    expect((await own('POST', '/control/buy', { coins: 20 })).status).toBe(201);
    await own('GET', '/control/status');
    await own('GET', '/control/search?q=song');
    const payment = await buyer.core.prepare(seller.core.pseudonym!, 'pa-song.mp3', 2);
    const sold = await shop('POST', '/content/pa-song.mp3/purchase', { payment });
    expect(sold.status).toBe(200);
    // A payment the buyer prepared, sent by its control API as is.
    const other = await buyer.core.prepare(seller.core.pseudonym!, 'pa-song.mp3', 2);
    expect(
      (await own('POST', '/control/send', { endpoint: seller.url, contentId: 'pa-song.mp3', payment: other }))
        .status,
    ).toBe(200);
    expect(
      (await own('POST', '/control/fetch', { endpoint: seller.url, contentId: 'pa-song.mp3' })).status,
    ).toBe(200);
    expect((await sellerControl('POST', '/control/redeem')).status).toBe(200);
    expect((await own('GET', '/control/status', undefined, { authorization: 'Bearer wrong' })).status).toBe(
      401,
    );

    // Refusals of a payment, each with its documented status and code.
    const elsewhere = await buyer.core.prepare(buyer.core.pseudonym!, 'pa-song.mp3', 2);
    const notPayee = await shop('POST', '/content/pa-song.mp3/purchase', { payment: elsewhere });
    expect([notPayee.status, notPayee.json<{ code: string }>().code]).toEqual([422, 'P2P.NOT_PAYEE']);
    const malformed = await shop('POST', '/content/pa-song.mp3/purchase', { payment: { statement: 1 } });
    expect([malformed.status, malformed.json<{ code: string }>().code]).toEqual([400, 'P2P.MALFORMED']);
    const passedOn = await own('POST', '/control/send', {
      endpoint: seller.url,
      contentId: 'pa-song.mp3',
      payment: elsewhere,
    });
    expect([passedOn.status, passedOn.json<{ code: string }>().code]).toEqual([422, 'P2P.NOT_PAYEE']);

    // A control body that is not the route's object; an endpoint that is no peer (the CIS).
    const code = (a: Answer) => [a.status, a.json<{ code?: string }>().code];
    expect(code(await own('POST', '/control/buy', {}))).toEqual([400, 'PROTOCOL.MISSING_FIELD']);
    expect(code(await own('POST', '/control/links', { cis: true, extra: 1 }))).toEqual([
      400,
      'PROTOCOL.UNKNOWN_FIELD',
    ]);
    const notAPeer = await own('POST', '/control/fetch', {
      endpoint: cis.url,
      contentId: 'pa-song.mp3',
      maxPrice: 2,
    });
    // Its 404 speaks of its own routes, not of the owner's request: the endpoint failed as a peer.
    expect(code(notAPeer)).toEqual([502, 'PEER.REFUSED']);

    // The CIS away: a dependency, so 503 with a stable code.
    await own('POST', '/control/links', { cis: false });
    const away = await own('POST', '/control/redeem');
    expect([away.status, away.json<{ code: string }>().code]).toEqual([503, 'PEER.CIS_UNREACHABLE']);
    await own('POST', '/control/links', { cis: true });

    expect(problems).toEqual([]);
    // Both peers serve one document: every success answer was seen at one of them.
    const seenNowhere = sellerChecker.unseen().filter((k) => buyerChecker.unseen().includes(k));
    expect(seenNowhere).toEqual([]);
  });
});
