import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { OpenAPIObject } from '@nestjs/swagger';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { InMemoryEventStore } from '#event-store';
import { createHttpApp, JsonLogger, loadConfig, ManualClock } from '#platform';
import {
  encodeSubscriberToken,
  generateChain,
  generateSigningKey,
  signSubscriberToken,
  signWalletGrant,
} from '#protocol';
import { BrokerKeyRing } from '../apps/broker/src/keys/broker-key-ring.js';
import { AnswerChecker } from '../libs/platform/src/http/testing/answer-checker.js';
import {
  ADMIN_TOKEN,
  type Http,
  startBroker,
  type TestBroker,
  testBrokerConfig,
  type TestResponse,
} from '../apps/broker/src/test/broker-harness.js';
import {
  authoriseVendor,
  buy,
  openBankAccount,
  registerCustomer,
  registerVendor,
  type TestCustomer,
} from '../apps/broker/src/test/scenario.js';
import { type BrokeredVendor, RealBrokerStack } from '../apps/vendor/test/real-broker-stack.js';
import { SimulatedBank } from '../apps/broker/src/bank/simulated-bank.js';
import { ChainWorld } from '../apps/redemption/test/chain-world.js';
import { honestDay } from '../apps/redemption/test/scenarios.js';
import { signVendorClaim } from '../apps/redemption/src/domain/vendor-claim.js';
import { RedemptionConfig } from '../apps/redemption/src/redemption.config.js';
import { RedemptionModule } from '../apps/redemption/src/redemption.module.js';
import { REDEMPTION_STATUS_BY_CODE } from '../apps/redemption/src/tokens.js';

/**
 * Real answers of every documented route validate against the schema the app's own OpenAPI
 * document gives for their status (docs/openapi/*.json are snapshots of those documents): the
 * broker and a vendor on NATS, a broker that is also a Mobile-NetPay SP, the redemption worker
 * over a day of spends.
 */

type Call = (
  method: string,
  path: string,
  init?: { body?: unknown; headers?: Record<string, string> },
) => Promise<TestResponse>;

const problems: string[] = [];

function checked<I>(
  checker: AnswerChecker,
  send: (method: string, path: string, init?: I) => Promise<TestResponse>,
): (method: string, path: string, init?: I) => Promise<TestResponse> {
  return async (method, path, init) => {
    const res = await send(method, path, init);
    problems.push(
      ...checker.check({
        method,
        path,
        status: res.status,
        contentType: res.headers.get('content-type'),
        body: res.text,
      }),
    );
    return res;
  };
}

/** A request as sent, whatever its headers; a body that is not text is sent as JSON (fetch through `checked`). */
function rawCall(base: string): Call {
  return async (method, path, init = {}) => {
    const body =
      typeof init.body === 'string' || init.body === undefined ? init.body : JSON.stringify(init.body);
    const response = await fetch(base + path, {
      method,
      headers: init.headers ?? {},
      ...(body === undefined ? {} : { body }),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, json: <T>() => JSON.parse(text) as T };
  };
}

/** Raw HTTP/1.1 over a socket, for what fetch will not send (headers over Node's limit). */
async function socketCall(base: string, request: string): Promise<TestResponse> {
  const { hostname, port } = new URL(base);
  const text = await new Promise<string>((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(request));
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('utf8')));
    socket.on('error', reject);
    socket.on('close', () => resolve(received));
  });
  const [head = '', body = ''] = text.split('\r\n\r\n');
  const headers = new Headers();
  for (const line of head.split('\r\n').slice(1)) {
    const at = line.indexOf(':');
    if (at > 0) headers.set(line.slice(0, at).trim(), line.slice(at + 1).trim());
  }
  return {
    status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0),
    headers,
    text: body,
    json: <T>() => JSON.parse(body) as T,
  };
}

async function documentOf(base: string): Promise<OpenAPIObject> {
  return (await (await fetch(`${base}/docs-json`)).json()) as OpenAPIObject;
}

describe('real answers match the documented schemas', () => {
  let stack: RealBrokerStack;
  let vendor: BrokeredVendor;
  let brokerChecker: AnswerChecker;
  let vendorChecker: AnswerChecker;
  let broker: Http;
  let shop: Call;
  let customer: TestCustomer;

  beforeAll(async () => {
    stack = await RealBrokerStack.start();
    vendor = await stack.vendor('news_a');
    await vendor.registration.done;
    brokerChecker = new AnswerChecker(await documentOf(await stack.broker.app.getUrl()));
    vendorChecker = new AnswerChecker(await documentOf(await vendor.app.getUrl()));
    const raw = stack.broker.http;
    broker = async (method, path, request = {}) => {
      const res = await raw(method, path, request);
      problems.push(
        ...brokerChecker.check({
          method,
          path,
          status: res.status,
          contentType: res.headers.get('content-type'),
          body: res.text,
        }),
      );
      return res;
    };
    shop = checked(vendorChecker, (method, path, init) => vendor.http(method, path, init));
    customer = await registerCustomer(broker, 100_000);
  });
  afterAll(() => stack.dispose());

  it('broker: every operation, each answer as documented', async () => {
    problems.length = 0;
    await broker('GET', '/health');
    await broker('GET', '/health/ready');
    await broker('GET', '/keys');
    await broker('GET', '/revocations');
    await broker('GET', '/vendors/news_a/keys');
    const account = `acct_${randomUUID().replaceAll('-', '')}`;
    await openBankAccount(broker, account, 500);
    await broker('GET', `/bank/accounts/${account}`, { token: ADMIN_TOKEN });
    await broker('POST', `/bank/accounts/${account}/close`, { token: ADMIN_TOKEN });
    const other = generateSigningKey('other-k1');
    await broker('POST', '/vendors', {
      token: ADMIN_TOKEN,
      body: {
        vendorId: 'other_oa',
        name: 'Other',
        bankAccount: 'other_bank',
        key: { keyId: other.keyId, publicKey: other.publicKey },
      },
    });
    const next = generateSigningKey('other-k2');
    await broker('POST', '/vendors/other_oa/keys', {
      token: ADMIN_TOKEN,
      body: { keyId: next.keyId, publicKey: next.publicKey },
    });
    await broker('DELETE', `/vendors/other_oa/keys/${other.keyId}`, { token: ADMIN_TOKEN });
    await broker('PUT', '/vendors/other_oa/shop-origins', {
      token: ADMIN_TOKEN,
      body: { origins: ['https://other.example'] },
    });
    await broker('GET', '/vendors/other_oa/standing', { token: ADMIN_TOKEN });
    await broker('POST', '/vendors/other_oa/reinstate', { token: ADMIN_TOKEN });

    const client = (await buy(broker, customer, { coins: 10, wallet: 'client' })).json<{
      chains: { chainId: string }[];
    }>();
    const [a, b, c] = [
      client.chains[0]!.chainId,
      ...(await Promise.all(
        [1, 2].map(
          async () =>
            (await buy(broker, customer, { coins: 10, wallet: 'client' })).json<{
              chains: { chainId: string }[];
            }>().chains[0]!.chainId,
        ),
      )),
    ];
    await broker('GET', `/chains/${a}/touchstone`);
    const revoked = await broker('POST', `/chains/${a}/revoke`, {
      token: ADMIN_TOKEN,
      body: { reason: 'fraud' },
    });
    expect([revoked.status, revoked.text]).toEqual([200, expect.any(String)]);
    await broker('GET', '/revocations');
    await broker('POST', `/chains/${b}/reissue`, { token: customer.token });
    await broker('POST', `/chains/${c}/cash-out`, { token: customer.token });
    await buy(broker, customer, { coins: 10, wallet: 'server' });
    await authoriseVendor(broker, customer, 'news_a');
    await broker('GET', '/wallet', { token: customer.token });
    await broker('GET', '/wallet/history', { token: customer.token });
    await broker('DELETE', '/wallet/vendors/news_a', { token: customer.token });
    const suspect = await registerCustomer(broker, 1_000);
    await broker('GET', `/customers/${suspect.customerId}/standing`, { token: ADMIN_TOKEN });
    await broker('POST', `/customers/${suspect.customerId}/revoke`, {
      token: ADMIN_TOKEN,
      body: { reason: 'FRAUD.DOUBLE_SPEND_ATTEMPT', evidence: ['case_1'] },
    });
    await broker('GET', '/revocations');
    await broker('POST', `/customers/${suspect.customerId}/reinstate`, { token: ADMIN_TOKEN });

    expect(problems).toEqual([]);
    expect(brokerChecker.unseen()).toEqual([]);
  });

  it('vendor: every operation, paid routes by both wallets, each answer as documented', async () => {
    problems.length = 0;
    for (const path of [
      '/health',
      '/health/ready',
      '/vendor',
      '/catalog',
      '/articles',
      '/cards',
      '/clips',
      '/',
      '/shop/shop.html',
      '/m',
    ])
      await shop('GET', path);
    const bought = (await buy(stack.broker.http, customer, { coins: 30, wallet: 'client' })).json<{
      chains: { chainId: string; length: number; seed: string; touchstone: unknown }[];
    }>();
    const c = bought.chains[0]!;
    const chain = generateChain({ chainId: c.chainId, length: c.length, alg: 'sha256', seed: c.seed });
    const pay = (position: number) => ({
      'x-netpay-payment': `${c.chainId}.${position}.${chain.payword(position)}`,
    });
    expect((await shop('GET', '/articles/a1')).status).toBe(402);
    expect((await shop('GET', '/articles/a1', { headers: pay(2) })).status).toBe(200);
    await shop('GET', '/cards/birthday', { headers: pay(5) });
    await shop('GET', '/clips/m1', { headers: pay(10) });
    await shop('POST', '/spends', {
      body: { chainId: c.chainId, position: 11, payword: chain.payword(11), count: 1 },
    });
    await shop('GET', `/chains/${c.chainId}`);

    const server = (await buy(stack.broker.http, customer, { coins: 30, wallet: 'server' })).json<{
      chains: { chainId: string }[];
    }>();
    const token = await authoriseVendor(stack.broker.http, customer, 'news_a');
    await shop('POST', '/debits', {
      body: { checkoutToken: token, count: 1 },
      headers: { 'idempotency-key': randomUUID() },
    });
    // The phone page's wallet answer, for a subscriber token signed as the operator would.
    const ring = stack.broker.app.get(BrokerKeyRing);
    const now = Date.now();
    const notAfter = new Date(now + 600_000).toISOString();
    const chainIds = server.chains.map((ch) => ch.chainId);
    const grants = chainIds.map((chainId) =>
      signWalletGrant(
        {
          chainId,
          vendorId: 'news_a',
          issuedAt: new Date(now).toISOString(),
          notAfter,
          brokerKeyId: ring.currentKeyId,
        },
        ring.signer,
      ),
    );
    const subscriberToken = encodeSubscriberToken(
      signSubscriberToken(
        {
          subscriber: 'sub_pseudonym_1',
          vendorId: 'news_a',
          wallet: token,
          chainIds,
          notBefore: new Date(now - 60_000).toISOString(),
          notAfter,
          brokerKeyId: ring.currentKeyId,
        },
        grants,
        ring.signer,
      ),
    );
    const wallet = await shop('GET', '/m/wallet', { headers: { 'x-netpay-checkout': subscriberToken } });
    expect(wallet.status).toBe(200);

    expect(problems).toEqual([]);
    expect(vendorChecker.unseen()).toEqual([]);
  });

  // An answer whose status the document leaves out, or whose code is not in that status's `code`
  // enum, is a problem the checker reports: each refusal here is provoked on purpose.
  it('refusals of the HTTP layer and of the handlers carry a documented status and code', async () => {
    problems.length = 0;
    const refused = (res: TestResponse) => [res.status, res.json<{ code?: string }>().code];
    const brokerBase = await stack.broker.app.getUrl();
    const vendorBase = await vendor.app.getUrl();
    const brokerRaw = checked(brokerChecker, rawCall(brokerBase));
    const shopRaw = checked(vendorChecker, rawCall(vendorBase));
    const admin = { authorization: `Bearer ${ADMIN_TOKEN}`, 'idempotency-key': randomUUID() };
    const json = { 'content-type': 'application/json' };

    // The platform's HTTP layer, on routes that do not read a body (or do).
    const compressed = await brokerRaw('POST', '/bank/accounts/acct_none/close', {
      headers: { ...admin, ...json, 'content-encoding': 'gzip' },
      body: '{}',
    });
    expect(refused(compressed)).toEqual([415, 'REQUEST.UNSUPPORTED_MEDIA_TYPE']);
    const deep = await brokerRaw('POST', '/purchases', {
      headers: { ...json, authorization: `Bearer ${customer.token}`, 'idempotency-key': randomUUID() },
      body: `${'['.repeat(100)}${']'.repeat(100)}`,
    });
    expect(refused(deep)).toEqual([400, 'REQUEST.TOO_DEEP']);
    const large = await brokerRaw('POST', `/customers/${customer.customerId}/reinstate`, {
      headers: { ...admin, ...json },
      body: JSON.stringify({ x: 'x'.repeat(80_000) }),
    });
    expect(refused(large)).toEqual([413, 'REQUEST.TOO_LARGE']);
    const longId = await brokerRaw('POST', `/chains/${'c'.repeat(200)}/revoke`, { headers: admin });
    expect(refused(longId)).toEqual([414, 'REQUEST.URI_TOO_LONG']);
    const bigHeaders = await socketCall(
      brokerBase,
      `GET /keys HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\nConnection: close\r\n\r\n`,
    );
    problems.push(
      ...brokerChecker.check({
        method: 'GET',
        path: '/keys',
        status: bigHeaders.status,
        contentType: bigHeaders.headers.get('content-type'),
        body: bigHeaders.text,
      }),
    );
    expect(refused(bigHeaders)).toEqual([431, 'REQUEST.HEADERS_TOO_LARGE']);

    // The broker's handlers.
    expect(refused(await buy(broker, customer, { currency: 'XXX' }))).toEqual([
      422,
      'PURCHASE.CURRENCY_NOT_SOLD',
    ]);
    expect(refused(await buy(broker, customer, { coins: 500_000 }))).toEqual([422, 'PURCHASE.TOO_LARGE']);
    const unknownChain = await broker('POST', '/chains/no_such_chain/revoke', {
      token: ADMIN_TOKEN,
      body: { reason: 'fraud' },
    });
    expect(refused(unknownChain)).toEqual([404, 'CHAIN.NOT_FOUND']);
    const key = generateSigningKey('oa-key-1');
    const noVendor = await broker('POST', '/vendors/no_such_vendor/keys', {
      token: ADMIN_TOKEN,
      body: { keyId: key.keyId, publicKey: key.publicKey },
    });
    expect(refused(noVendor)).toEqual([404, 'VENDOR.NOT_FOUND']);
    const [current] = (await broker('GET', '/vendors/news_a/keys')).json<{ keys: { keyId: string }[] }>()
      .keys;
    const taken = await broker('POST', '/vendors/news_a/keys', {
      token: ADMIN_TOKEN,
      body: { keyId: current!.keyId, publicKey: key.publicKey },
    });
    expect(refused(taken)).toEqual([409, 'VENDOR.KEY_ID_TAKEN']);
    const lastKey = await broker('DELETE', `/vendors/news_a/keys/${current!.keyId}`, { token: ADMIN_TOKEN });
    expect(refused(lastKey)).toEqual([409, 'VENDOR.LAST_KEY']);
    const noKey = await broker('DELETE', '/vendors/news_a/keys/no_such_key', { token: ADMIN_TOKEN });
    expect(refused(noKey)).toEqual([404, 'VENDOR.KEY_NOT_FOUND']);
    const noShop = await broker('PUT', '/vendors/no_such_vendor/shop-origins', {
      token: ADMIN_TOKEN,
      body: { origins: [] },
    });
    expect(refused(noShop)).toEqual([404, 'VENDOR.NOT_FOUND']);
    const notMine = await broker('PUT', '/vendors/news_a/shop-origins', { body: { origins: [] } });
    expect(refused(notMine)).toEqual([401, 'VENDOR.REGISTRATION_UNAUTHORISED']);

    // The vendor's handlers.
    expect(refused(await shop('GET', '/m/wallet'))).toEqual([401, 'SUBSCRIBER_TOKEN.MISSING']);
    const longToken = await shopRaw('GET', '/articles/a1', {
      headers: { 'x-netpay-checkout': 't'.repeat(2_000), 'idempotency-key': randomUUID() },
    });
    expect(refused(longToken)).toEqual([400, 'PROTOCOL.BAD_LENGTH']);
    const server = (await buy(stack.broker.http, customer, { coins: 10, wallet: 'server' })).json<{
      chains: { chainId: string }[];
    }>();
    const notCheckedOut = await shop('POST', '/spends', {
      body: { chainId: server.chains[0]!.chainId, position: 1, payword: 'ab'.repeat(32), count: 1 },
    });
    expect(refused(notCheckedOut)).toEqual([409, 'CHAIN.NOT_CHECKED_OUT']);
    const token = await authoriseVendor(stack.broker.http, customer, 'news_a');
    const purchase = randomUUID();
    const debit = (count: number) =>
      shop('POST', '/debits', {
        body: { checkoutToken: token, count },
        headers: { 'idempotency-key': purchase },
      });
    expect((await debit(1)).status).toBe(201);
    expect(refused(await debit(2))).toEqual([422, 'IDEMPOTENCY.KEY_REUSED']);

    expect(problems).toEqual([]);
  });
});

describe('real answers of the redemption worker match its documented schemas', () => {
  const ADMIN = 'operator-token-0123456789';
  const store = new InMemoryEventStore();
  const clock = new ManualClock('2026-03-10T13:30:00.000Z');
  const world = new ChainWorld(store);
  const bank = new SimulatedBank(store, clock, 1_000_000);
  let app: NestFastifyApplication;
  let call: Call;
  let checker: AnswerChecker;

  beforeAll(async () => {
    const config = loadConfig(RedemptionConfig, {
      BROKER_PUBLIC_KEYS: world.brokerKeys.map((k) => `${k.keyId}:${k.publicKey}`).join(','),
      ADMIN_TOKEN: ADMIN,
      REDEMPTION_SIGNING_KEY: generateSigningKey('redemption-1').privateKey,
      REDEMPTION_VIEW_STORE: 'memory',
    });
    for (const v of ['va', 'vb', 'vc']) {
      await bank.openAccount({ accountId: `acct_${v}`, currency: 'NZD', balance: 0 });
      await world.registerVendor(v);
    }
    await honestDay(world);
    app = await createHttpApp(
      RedemptionModule.forRoot({ config, eventStore: store, clock, schedule: false }),
      {
        name: 'redemption',
        version: 'test',
        port: 0,
        host: '127.0.0.1',
        docsUi: false,
        logger: new JsonLogger({ service: 'redemption-test', level: 'error', write: () => undefined }),
        statusByCode: REDEMPTION_STATUS_BY_CODE,
      },
    );
    const base = await app.getUrl();
    checker = new AnswerChecker(await documentOf(base));
    call = checked(checker, async (method, path, init = {}) => {
      const response = await fetch(base + path, {
        method,
        headers: {
          ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
          authorization: `Bearer ${ADMIN}`,
          ...init.headers,
        },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      });
      const text = await response.text();
      return {
        status: response.status,
        headers: response.headers,
        text,
        json: <T>() => JSON.parse(text) as T,
      };
    });
  });
  afterAll(() => app.close());

  it('every operation, each answer as documented', async () => {
    problems.length = 0;
    await call('GET', '/health');
    // Readiness may answer 503 (also documented) while the worker's view catches up on a loaded
    // machine: ask until it is ready, so its 200 is seen too.
    for (let i = 0; i < 100 && (await call('GET', '/health/ready')).status !== 200; i++)
      await new Promise((resolve) => setTimeout(resolve, 100));
    const signer = world.vendorSigner('vb');
    const claim = signVendorClaim(
      {
        vendorId: 'vb',
        businessDay: '2026-03-10',
        claimId: 'vb_claim_oa',
        items: [{ chainId: 'c1', fromIndex: 6, toIndex: 9, proofPayword: world.chain('c1').payword(9) }],
        vendorKeyId: signer.keyId,
      },
      signer,
    );
    await call('POST', '/redemption/claims', { body: claim });
    await call('GET', '/redemption/days/2026-03-10');
    const night = await call('POST', '/redemption/nights', { body: { day: '2026-03-10' } });
    expect(night.json<{ outcomes: unknown[] }>().outcomes.length).toBeGreaterThan(0);
    expect(problems).toEqual([]);
    expect(checker.unseen()).toEqual([]);
  });

  it('refusals of the claims and nights carry a documented status and code', async () => {
    problems.length = 0;
    const refused = (res: TestResponse) => [res.status, res.json<{ code?: string }>().code];
    const signer = world.vendorSigner('vc');
    const item = (toIndex: number) => ({
      chainId: 'c1',
      fromIndex: 1,
      toIndex,
      proofPayword: world.chain('c1').payword(toIndex),
    });
    const claim = (
      over: { vendorId?: string; businessDay?: string; claimId?: string; toIndex?: number } = {},
    ) =>
      signVendorClaim(
        {
          vendorId: over.vendorId ?? 'vc',
          businessDay: over.businessDay ?? '2026-03-10',
          claimId: over.claimId ?? 'vc_claim_refused',
          items: [item(over.toIndex ?? 2)],
          vendorKeyId: signer.keyId,
        },
        signer,
      );
    expect(
      refused(await call('POST', '/redemption/claims', { body: claim({ vendorId: 'nobody' }) })),
    ).toEqual([404, 'REDEMPTION.VENDOR_NOT_FOUND']);
    const forged = { ...claim(), signature: 'ab'.repeat(64) };
    expect(refused(await call('POST', '/redemption/claims', { body: forged }))).toEqual([
      401,
      'REDEMPTION.CLAIM_SIGNATURE_INVALID',
    ]);
    expect(
      refused(await call('POST', '/redemption/claims', { body: claim({ businessDay: '2026-04-01' }) })),
    ).toEqual([400, 'REDEMPTION.CLAIM_INVALID']);
    expect((await call('POST', '/redemption/claims', { body: claim() })).status).toBe(202);
    expect(refused(await call('POST', '/redemption/claims', { body: claim({ toIndex: 3 }) }))).toEqual([
      409,
      'REDEMPTION.CLAIM_ID_REUSED',
    ]);
    expect(refused(await call('GET', '/redemption/days/2026-02-30'))).toEqual([
      400,
      'REDEMPTION.INVALID_DAY',
    ]);
    expect(refused(await call('POST', '/redemption/nights', { body: { day: '2026-03-12' } }))).toEqual([
      422,
      'REDEMPTION.DAY_IN_FUTURE',
    ]);
    const stranger = await call('GET', '/redemption/days/2026-03-10', {
      headers: { authorization: 'Bearer not-the-admin-token' },
    });
    expect(refused(stranger)).toEqual([401, 'ADMIN.UNAUTHORISED']);
    expect(problems).toEqual([]);
  });
});

describe('real answers of a broker that is a Mobile-NetPay SP match its documented schemas', () => {
  const GATEWAY = 'gateway-token-for-tests-0001';
  const PREPAID = '+64210002001';
  const POSTPAID = '+64210002002';
  let sp: TestBroker;
  let checker: AnswerChecker;
  let http: Http;
  const as = (msisdn: string) => ({ token: GATEWAY, headers: { 'x-msisdn': msisdn } });
  const refused = (res: TestResponse) => [res.status, res.json<{ code?: string }>().code];

  beforeAll(async () => {
    sp = await startBroker({
      store: new InMemoryEventStore(),
      config: testBrokerConfig({
        BROKER_NETWORKS: 'web,mobile',
        OPERATOR_GATEWAY_TOKEN: GATEWAY,
        OPERATOR_SUBSCRIBERS: `${PREPAID}:prepaid:NZD:300,${POSTPAID}:postpaid:NZD:400`,
      }),
    });
    checker = new AnswerChecker(await documentOf(await sp.app.getUrl()));
    http = checked(checker, sp.http);
    await registerVendor(sp.http, 'music');
  });
  afterAll(() => sp.close());

  it('every operator and subscriber operation, each answer as documented', async () => {
    problems.length = 0;
    const opened = await http('POST', '/operator/subscribers', {
      token: ADMIN_TOKEN,
      body: { msisdn: '+64210002003', plan: 'prepaid', currency: 'NZD', balance: 50 },
    });
    expect(opened.status).toBe(201);
    expect(
      (await http('GET', `/operator/subscribers/${encodeURIComponent(POSTPAID)}`, { token: ADMIN_TOKEN }))
        .status,
    ).toBe(200);
    expect((await http('GET', '/mobile/account', as(PREPAID))).status).toBe(200);
    expect(
      (await http('POST', '/mobile/top-ups', { ...as(PREPAID), body: { amount: 100, currency: 'NZD' } }))
        .status,
    ).toBe(201);
    expect(
      (
        await http('POST', '/mobile/purchases', {
          ...as(PREPAID),
          body: { coins: 20, coinValue: 5, currency: 'NZD' },
        })
      ).status,
    ).toBe(201);
    expect((await http('POST', '/mobile/vendors/music/token', as(PREPAID))).status).toBe(201);
    expect((await http('DELETE', '/mobile/vendors/music', as(PREPAID))).status).toBe(200);
    expect(
      (await http('POST', '/operator/subscribers/%2B64210002003/bar', { token: ADMIN_TOKEN })).status,
    ).toBe(200);
    expect(problems).toEqual([]);
    expect(checker.unseen().filter((op) => /\/(mobile|operator)\//.test(op))).toEqual([]);
  });

  it('refusals of the gateway guard and of the operator handlers carry a documented status and code', async () => {
    problems.length = 0;
    expect(refused(await http('GET', '/mobile/account', { headers: { 'x-msisdn': PREPAID } }))).toEqual([
      401,
      'OPERATOR.GATEWAY_UNAUTHORISED',
    ]);
    expect(refused(await http('GET', '/mobile/account', as('+64219999999')))).toEqual([
      403,
      'OPERATOR.SUBSCRIBER_UNKNOWN',
    ]);
    const topUp = { amount: 100, currency: 'NZD' };
    expect(refused(await http('POST', '/mobile/top-ups', { ...as(POSTPAID), body: topUp }))).toEqual([
      422,
      'OPERATOR.TOP_UP_REFUSED',
    ]);
    expect(
      refused(await http('POST', '/mobile/top-ups', { ...as(PREPAID), key: false, body: topUp })),
    ).toEqual([400, 'IDEMPOTENCY.KEY_REQUIRED']);
    const purchase = (body: Record<string, unknown>) =>
      http('POST', '/mobile/purchases', { ...as(PREPAID), body: { coins: 20, coinValue: 5, ...body } });
    expect(refused(await purchase({ coins: 100_000, currency: 'NZD' }))).toEqual([402, 'PURCHASE.DECLINED']);
    expect(refused(await purchase({ currency: 'XXX' }))).toEqual([422, 'PURCHASE.CURRENCY_NOT_SOLD']);
    expect(refused(await http('POST', '/mobile/vendors/nobody/token', as(PREPAID)))).toEqual([
      404,
      'VENDOR.NOT_FOUND',
    ]);
    const again = await http('POST', '/operator/subscribers', {
      token: ADMIN_TOKEN,
      body: { msisdn: PREPAID, plan: 'prepaid', currency: 'NZD' },
    });
    expect(refused(again)).toEqual([409, 'OPERATOR.SUBSCRIBER_EXISTS']);
    expect(
      refused(await http('GET', '/operator/subscribers/%2B64219999999', { token: ADMIN_TOKEN })),
    ).toEqual([404, 'OPERATOR.SUBSCRIBER_NOT_FOUND']);
    expect(problems).toEqual([]);
  });
});
