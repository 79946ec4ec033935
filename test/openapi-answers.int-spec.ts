import { randomUUID } from 'node:crypto';
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
import { ADMIN_TOKEN, type Http, type TestResponse } from '../apps/broker/src/test/broker-harness.js';
import {
  authoriseVendor,
  buy,
  openBankAccount,
  registerCustomer,
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
 * broker and a vendor on NATS, the redemption worker over a day of spends.
 */

type Call = (
  method: string,
  path: string,
  init?: { body?: unknown; headers?: Record<string, string> },
) => Promise<TestResponse>;

const problems: string[] = [];

function checked(checker: AnswerChecker, send: Call): Call {
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
});
