import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EventStore } from '#event-store';
import { connectTestStore, uniqueName } from '#event-store/testing';
import { CONTROL_TOKEN, startCis, startPeer, type TestCis, type TestPeer } from './p2p-harness.js';

// What the CIS answers the peer reaches the owner through the control API. A refusal of the
// peer's own signed call (401) is no fault of the owner's bearer token, and an answer that is no
// NetPay answer (a proxy's page, no JSON) is the CIS side's failure: 502, never a 401 or a 500.
// The peer talks to the real CIS through a proxy the test can make answer otherwise.
const streamName = uniqueName('P2PCISA');
let store: EventStore;
let cis: TestCis;
let proxy: Server;
let peer: TestPeer;
let override: ((path: string) => { status: number; type: string; text: string } | undefined) | undefined;

async function forward(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const forced = override?.(req.url ?? '');
  if (forced) {
    res.writeHead(forced.status, { 'content-type': forced.type });
    res.end(forced.text);
    return;
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers))
    if (typeof v === 'string' && k !== 'host' && k !== 'content-length') headers[k] = v;
  const answer = await fetch(cis.url + (req.url ?? ''), {
    method: req.method ?? 'GET',
    headers,
    ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
  });
  res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'text/plain' });
  res.end(Buffer.from(await answer.arrayBuffer()));
}

async function control(method: 'GET' | 'POST', path: string, body?: unknown) {
  const response = await fetch(`${peer.url}/control/${path}`, {
    method,
    headers: {
      authorization: `Bearer ${CONTROL_TOKEN}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json', 'idempotency-key': randomUUID() }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}

beforeAll(async () => {
  store = await connectTestStore({ streamName, subjectPrefix: `${streamName.toLowerCase()}.events` }, 'cis');
  cis = await startCis({ store });
  proxy = createServer((req, res) => void forward(req, res));
  await new Promise<void>((done) => proxy.listen(0, '127.0.0.1', done));
  const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  peer = await startPeer({ name: 'ca', cis: { ...cis, url } });
}, 60_000);

afterAll(async () => {
  await peer?.close();
  await new Promise((done) => proxy?.close(done));
  await cis?.close();
  await store?.close();
});

describe('the CIS’s answers at the peer’s control API', () => {
  it('through the proxy as is: the peer buys', async () => {
    override = undefined;
    expect((await control('POST', 'buy', { coins: 2 })).status).toBe(201);
  });

  it('a refusal of the peer’s own call keeps its code but is no 401 to the owner: 502', async () => {
    for (const code of ['P2P.CALL_STALE', 'P2P.CALL_SIGNATURE_INVALID']) {
      override = (path) =>
        path.endsWith('/purchases')
          ? { status: 401, type: 'application/problem+json', text: JSON.stringify({ code, detail: 'x' }) }
          : undefined;
      const got = await control('POST', 'buy', { coins: 2 });
      expect([got.status, got.body.code]).toEqual([502, code]);
    }
    override = (path) =>
      path.endsWith('/purchases')
        ? { status: 429, type: 'application/problem+json', text: JSON.stringify({ code: 'RATE.LIMITED' }) }
        : undefined;
    const limited = await control('POST', 'buy', { coins: 2 });
    expect([limited.status, limited.body.code]).toEqual([502, 'RATE.LIMITED']);
  });

  it('what is no NetPay answer is 502 PEER.CIS_BAD_ANSWER, never a 500', async () => {
    const answers = [
      { status: 200, type: 'text/html', text: '<html>proxy</html>' },
      { status: 404, type: 'text/html', text: '<html>not found</html>' },
      { status: 403, type: 'application/json', text: 'null' },
      { status: 400, type: 'application/json', text: '[1]' },
    ];
    for (const answer of answers) {
      override = (path) => (path.startsWith('/content') ? answer : undefined);
      const got = await control('GET', 'search?q=x');
      expect([answer, got.status, got.body.code]).toEqual([answer, 502, 'PEER.CIS_BAD_ANSWER']);
    }
  });

  it('a refusal that speaks of the owner’s request keeps its status', async () => {
    override = undefined;
    const capped = await control('POST', 'buy', { coins: 100_000 });
    expect(capped.status).toBeGreaterThanOrEqual(400);
    expect(capped.status).toBeLessThan(500);
    expect(String(capped.body.code)).toMatch(/^CIS\./);
  });
});
