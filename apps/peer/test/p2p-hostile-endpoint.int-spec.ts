import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EventStore } from '#event-store';
import { connectTestStore, uniqueName } from '#event-store/testing';
import { P2P, type P2PPayment, statementDigest, statementEnd } from '#protocol';
import { CONTROL_TOKEN, startCis, startPeer, type TestCis, type TestPeer } from './p2p-harness.js';

// The endpoint a peer fetches from is another party's, untrusted: what it answers must not reach
// the owner as the owner's own fault (a 401 read as a wrong control token, a 400 as a bad body),
// nor break the fetch into a 500. A hostile endpoint answers what each case scripts.
const streamName = uniqueName('P2PHOST');
let store: EventStore;
let cis: TestCis;
let buyer: TestPeer;
let hostile: Server;
let endpoint: string;

const PAYEE = 'ps_0123456789abcdef';
const CONTENT = 'hostile-song.mp3';
const bytes = Buffer.from('the content the hostile endpoint serves');
const sha256 = createHash('sha256').update(bytes).digest('hex');
const goodOffer = { payee: PAYEE, contentId: CONTENT, title: 'song', price: 1, sha256 };

type Answer = { status: number; body?: unknown; raw?: string } | 'hang-up';
type Script = { offer: Answer; purchase: (payment: P2PPayment, attempt: number) => Answer };
let script: Script;
let purchases: P2PPayment[] = [];

/** The honest answer to a payment: its receipt and the content. */
function sale(p: P2PPayment): Answer {
  const s = p.statement;
  return {
    status: 200,
    body: {
      receipt: {
        digest: statementDigest(s),
        payee: s.payee,
        chainId: s.chainId,
        fromIndex: s.fromIndex,
        toIndex: statementEnd(s),
        recorded: 'journal',
      },
      contentId: s.contentId,
      sha256,
      data: bytes.toString('base64'),
    },
  };
}

function answer(res: ServerResponse, a: Answer): void {
  if (a === 'hang-up') {
    res.socket?.destroy();
    return;
  }
  const text = a.raw ?? JSON.stringify(a.body ?? {});
  res.writeHead(a.status, { 'content-type': a.raw === undefined ? 'application/json' : 'text/plain' });
  res.end(text);
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  if (req.url?.endsWith('/offer')) return answer(res, script.offer);
  const payment = (JSON.parse(Buffer.concat(chunks).toString()) as { payment: P2PPayment }).payment;
  purchases.push(payment);
  return answer(res, script.purchase(payment, purchases.length));
}

async function control(path: string, body: unknown) {
  const response = await fetch(`${buyer.url}/control/${path}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${CONTROL_TOKEN}`,
      'content-type': 'application/json',
      'idempotency-key': randomUUID(),
    },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}

const fetchIt = () => control('fetch', { endpoint, contentId: CONTENT, maxPrice: 5 });

beforeAll(async () => {
  store = await connectTestStore({ streamName, subjectPrefix: `${streamName.toLowerCase()}.events` }, 'cis');
  cis = await startCis({ store });
  buyer = await startPeer({ name: 'hb', cis });
  await buyer.core.buy(40);
  hostile = createServer((req, res) => void handle(req, res));
  await new Promise<void>((done) => hostile.listen(0, '127.0.0.1', done));
  endpoint = `http://127.0.0.1:${(hostile.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  await buyer?.close();
  await cis?.close();
  await new Promise((done) => hostile?.close(done));
  await store?.close();
});

describe('a fetch from a hostile endpoint', () => {
  it('its refusals of the offer that are not about the content asked for are its failure: 502 PEER.REFUSED', async () => {
    purchases = [];
    const cases: [Answer, number, string][] = [
      [{ status: 401, body: { code: 'AUTH.UNAUTHORISED', detail: 'bad token' } }, 502, 'PEER.REFUSED'],
      [{ status: 400, body: { code: 'REQUEST.INVALID', detail: 'endpoint: …' } }, 502, 'PEER.REFUSED'],
      [{ status: 422, body: { code: 'WALLET.INSUFFICIENT_COINS' } }, 502, 'PEER.REFUSED'],
      [{ status: 429, raw: 'slow down' }, 502, 'PEER.REFUSED'],
      [{ status: 404, raw: 'no such page' }, 502, 'PEER.REFUSED'],
      // What does speak of the request: the content is not shared there.
      [{ status: 404, body: { code: 'PEER.CONTENT_UNKNOWN' } }, 404, 'PEER.CONTENT_UNKNOWN'],
      [{ status: 401, body: { code: 'PEER.CONTENT_UNKNOWN' } }, 404, 'PEER.CONTENT_UNKNOWN'],
      // Its failure is a 502; a 503 asks for a retry.
      [{ status: 500, body: { code: 'INTERNAL' } }, 502, 'PEER.BAD_ANSWER'],
      [{ status: 503, body: { code: 'REDIS.UNAVAILABLE' } }, 503, 'PEER.UNREACHABLE'],
    ];
    for (const [offer, status, code] of cases) {
      script = { offer, purchase: sale };
      const got = await fetchIt();
      expect([offer, got.status, got.body.code]).toEqual([offer, status, code]);
    }
    expect(purchases).toEqual([]);
  }, 60_000);

  it('a malformed offer is refused before anything is paid: 502, never a 400', async () => {
    purchases = [];
    const coins = buyer.core.walletRemaining;
    for (const offer of [
      { ...goodOffer, payee: 'not-a-pseudonym' },
      { ...goodOffer, payee: 'ps_' + '0'.repeat(200) },
    ]) {
      script = { offer: { status: 200, body: offer }, purchase: sale };
      const got = await fetchIt();
      expect([offer, got.status, got.body.code]).toEqual([offer, 502, 'PEER.OFFER_UNLISTED']);
    }
    expect(purchases).toEqual([]);
    expect(buyer.core.walletRemaining).toBe(coins);
  }, 60_000);

  it('its refusals of the payment pass on only when they speak of the payer’s coins, with our status', async () => {
    const cases: [Answer, number, string][] = [
      [{ status: 422, body: { code: P2P.WRONG_PRICE } }, 502, 'PEER.REFUSED'],
      [{ status: 400, body: { code: 'P2P.MALFORMED' } }, 502, 'PEER.REFUSED'],
      [{ status: 402, body: { code: P2P.PAYWORD_FORGED } }, 502, 'PEER.REFUSED'],
      [{ status: 401, body: { code: 'AUTH.UNAUTHORISED' } }, 502, 'PEER.REFUSED'],
      [{ status: 401, body: { code: P2P.DOUBLE_SPEND } }, 409, P2P.DOUBLE_SPEND],
      [{ status: 403, body: { code: P2P.PSEUDONYM_REVOKED } }, 403, P2P.PSEUDONYM_REVOKED],
      [{ status: 404, body: { code: 'PEER.CONTENT_UNKNOWN' } }, 404, 'PEER.CONTENT_UNKNOWN'],
      [{ status: 500, raw: 'boom' }, 502, 'PEER.BAD_ANSWER'],
    ];
    for (const [refusal, status, code] of cases) {
      script = { offer: { status: 200, body: goodOffer }, purchase: () => refusal };
      const got = await fetchIt();
      expect([refusal, got.status, got.body.code]).toEqual([refusal, status, code]);
    }
  }, 60_000);

  it('a malformed sale is its failure: 502 PEER.BAD_ANSWER, never a 500, and no made-up receipt reaches the owner', async () => {
    const malformed: ((p: P2PPayment) => Answer)[] = [
      () => ({ status: 200, body: { data: 5 } }),
      () => ({ status: 200, body: {} }),
      () => ({ status: 200, raw: '[1,2]' }),
      (p) => {
        const honest = sale(p) as { status: number; body: { receipt: object } };
        return {
          status: 200,
          body: { ...honest.body, receipt: { ...honest.body.receipt, digest: 'ab'.repeat(32) } },
        };
      },
      (p) => {
        const honest = sale(p) as { status: number; body: { receipt: object } };
        return {
          status: 200,
          body: { ...honest.body, receipt: { ...honest.body.receipt, fromIndex: 1, toIndex: 40 } },
        };
      },
    ];
    for (const purchase of malformed) {
      script = { offer: { status: 200, body: goodOffer }, purchase };
      const got = await fetchIt();
      expect([got.status, got.body.code]).toEqual([502, 'PEER.BAD_ANSWER']);
    }
    script = { offer: { status: 200, body: goodOffer }, purchase: sale };
    const honest = await fetchIt();
    expect(honest.status).toBe(200);
  }, 60_000);

  it('a payment whose answer was lost is sent again, the same statement: paid once, delivered', async () => {
    purchases = [];
    script = {
      offer: { status: 200, body: goodOffer },
      purchase: (p, attempt) => (attempt === 1 ? 'hang-up' : sale(p)),
    };
    const got = await fetchIt();
    expect([got.status, got.body.code]).toEqual([200, undefined]);
    expect(purchases).toHaveLength(2);
    expect(statementDigest(purchases[1]!.statement)).toBe(statementDigest(purchases[0]!.statement));
  }, 60_000);

  it('send passes on its refusals of the owner’s own payment, with our status; anything else is 502', async () => {
    const payment = await buyer.core.prepare(PAYEE, CONTENT, 1);
    const cases: [Answer, number, string][] = [
      [{ status: 401, body: { code: P2P.WRONG_PRICE } }, 422, P2P.WRONG_PRICE],
      [{ status: 400, body: { code: 'P2P.MALFORMED' } }, 400, 'P2P.MALFORMED'],
      [{ status: 401, body: { code: 'AUTH.UNAUTHORISED' } }, 502, 'PEER.REFUSED'],
      [{ status: 200, body: { receipt: 'x' } }, 502, 'PEER.BAD_ANSWER'],
    ];
    for (const [a, status, code] of cases) {
      script = { offer: { status: 200, body: goodOffer }, purchase: () => a };
      const got = await control('send', { endpoint, contentId: CONTENT, payment });
      expect([a, got.status, got.body.code]).toEqual([a, status, code]);
    }
  }, 60_000);
});
