import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { InMemoryEventStore } from '#event-store';
import {
  checkSubscriberToken,
  createSigner,
  decodeSubscriberToken,
  publicKeyRecord,
  signingKeyFromPrivate,
} from '#protocol';
import { BrokerKeyRing } from '../keys/broker-key-ring.js';
import { CheckoutWalletHandler } from '../checkout-wallet/checkout-wallet.handler.js';
import { ADMIN_TOKEN, startBroker, testBrokerConfig, type TestBroker } from '../test/broker-harness.js';
import { registerVendor, signedCheckout } from '../test/scenario.js';

const GATEWAY = 'gateway-token-for-tests-0001';
const PREPAID = '+64210001001';
const POSTPAID = '+64210001002';

describe('the broker as a Mobile-NetPay Service Provider (in-memory)', () => {
  const store = new InMemoryEventStore();
  let sp: TestBroker;
  const as = (msisdn: string) => ({ token: GATEWAY, headers: { 'x-msisdn': msisdn } });

  beforeAll(async () => {
    sp = await startBroker({
      store,
      config: testBrokerConfig({
        BROKER_NETWORKS: 'web,mobile',
        OPERATOR_GATEWAY_TOKEN: GATEWAY,
        OPERATOR_SUBSCRIBERS: `${PREPAID}:prepaid:NZD:300,${POSTPAID}:postpaid:NZD:400`,
      }),
    });
  });
  afterAll(() => sp.close());

  it('opens the configured subscribers: a prepaid balance, a postpaid bill with its cap', async () => {
    const pre = await sp.http('GET', '/mobile/account', as(PREPAID));
    expect(pre.status).toBe(200);
    expect(pre.json()).toMatchObject({ account: { plan: 'prepaid', balance: 300 }, wallet: { chains: [] } });
    const post = await sp.http('GET', `/operator/subscribers/${encodeURIComponent(POSTPAID)}`, {
      token: ADMIN_TOKEN,
    });
    expect(post.json()).toMatchObject({ plan: 'postpaid', bill: { charged: 0, spendingCap: 400 } });
  });

  it('admits subscribers only through the gateway, never a number it does not serve', async () => {
    const noGateway = await sp.http('GET', '/mobile/account', { headers: { 'x-msisdn': PREPAID } });
    expect(noGateway.status).toBe(401);
    expect(noGateway.json()).toMatchObject({ code: 'OPERATOR.GATEWAY_UNAUTHORISED' });
    const wrongGateway = await sp.http('GET', '/mobile/account', { ...as(PREPAID), token: 'x'.repeat(30) });
    expect(wrongGateway.json()).toMatchObject({ code: 'OPERATOR.GATEWAY_UNAUTHORISED' });
    for (const msisdn of ['+64219999999', 'not-a-number']) {
      const unknown = await sp.http('GET', '/mobile/account', as(msisdn));
      expect(unknown.status).toBe(403);
      expect(unknown.json()).toMatchObject({ code: 'OPERATOR.SUBSCRIBER_UNKNOWN' });
    }
  });

  it('prepaid: buys coins from the balance, is refused cleanly when short, buys again after a top-up', async () => {
    const buy = (coins: number, key: string) =>
      sp.http('POST', '/mobile/purchases', {
        ...as(PREPAID),
        key,
        body: { coins, coinValue: 5, currency: 'NZD' },
      });
    const first = await buy(40, 'prepaid-buy-0001');
    expect(first.status).toBe(201);
    expect(first.json()).toMatchObject({ wallet: 'server', amount: 200 });
    expect(first.json<{ chains: { seed?: string }[] }>().chains.every((c) => c.seed === undefined)).toBe(
      true,
    );
    // The retry answers the same purchase and charges nothing more.
    const again = await buy(40, 'prepaid-buy-0001');
    expect(again.json()).toMatchObject({ purchaseId: first.json().purchaseId });
    const short = await buy(40, 'prepaid-buy-0002');
    expect(short.status).toBe(402);
    expect(short.json()).toMatchObject({
      code: 'PURCHASE.DECLINED',
      reason: 'prepaid-balance-insufficient',
    });
    // The operator declined, not a bank: the message says so.
    expect(short.json<{ detail: string }>().detail).toMatch(/operator declined/);
    expect(short.json<{ detail: string }>().detail).not.toMatch(/bank/i);
    const account = await sp.http('GET', '/mobile/account', as(PREPAID));
    expect(account.json()).toMatchObject({
      account: { balance: 100, charged: 200 },
      wallet: { balances: [{ currency: 'NZD', remainingValue: 200 }] },
    });
    const topUp = await sp.http('POST', '/mobile/top-ups', {
      ...as(PREPAID),
      key: 'voucher-0001',
      body: { amount: 150, currency: 'NZD' },
    });
    expect(topUp.json()).toMatchObject({ balance: 250 });
    // The same key with another amount: the answer every route gives a reused key; nothing added.
    const reused = await sp.http('POST', '/mobile/top-ups', {
      ...as(PREPAID),
      key: 'voucher-0001',
      body: { amount: 151, currency: 'NZD' },
    });
    expect([reused.status, reused.json<{ code: string }>().code]).toEqual([422, 'IDEMPOTENCY.KEY_REUSED']);
    expect((await sp.http('GET', '/mobile/account', as(PREPAID))).json()).toMatchObject({
      account: { balance: 250 },
    });
    expect((await buy(40, 'prepaid-buy-0003')).status).toBe(201);
  });

  it('postpaid: charges go on the bill until the cap, then PURCHASE.DECLINED postpaid-cap-reached', async () => {
    const buy = (coins: number, key: string) =>
      sp.http('POST', '/mobile/purchases', {
        ...as(POSTPAID),
        key,
        body: { coins, coinValue: 5, currency: 'NZD' },
      });
    expect((await buy(60, 'postpaid-buy-01')).status).toBe(201);
    const over = await buy(40, 'postpaid-buy-02');
    expect(over.status).toBe(402);
    expect(over.json()).toMatchObject({ code: 'PURCHASE.DECLINED', reason: 'postpaid-cap-reached' });
    const topUp = await sp.http('POST', '/mobile/top-ups', {
      ...as(POSTPAID),
      key: 'voucher-0002',
      body: { amount: 150, currency: 'NZD' },
    });
    expect(topUp.json()).toMatchObject({
      code: 'OPERATOR.TOP_UP_REFUSED',
      reason: 'not-prepaid',
    });
  });

  it('a subscriber token is operator-signed, bound to the vendor, pseudonymous, and opens the wallet for it alone', async () => {
    const key = await registerVendor(sp.http, 'music');
    await registerVendor(sp.http, 'greetings');
    const res = await sp.http('POST', '/mobile/vendors/music/token', as(PREPAID));
    expect(res.status).toBe(201);
    const { subscriberToken, subscriber } = res.json<{ subscriberToken: string; subscriber: string }>();
    const token = decodeSubscriberToken(subscriberToken);
    const ring = sp.app.get(BrokerKeyRing);
    const keys = [publicKeyRecord(ring.signer)];
    expect(checkSubscriberToken(token, keys, { vendorId: 'music', now: new Date() })).toEqual({ ok: true });
    expect(checkSubscriberToken(token, keys, { vendorId: 'greetings', now: new Date() })).toMatchObject({
      code: 'SUBSCRIBER_TOKEN.WRONG_VENDOR',
    });
    expect(subscriberToken).not.toContain(PREPAID.slice(1));
    expect(Buffer.from(subscriberToken.slice(5), 'base64url').toString()).not.toContain(PREPAID.slice(1));
    expect(token.chainIds.length).toBeGreaterThan(0);
    expect(token.grants.map((g) => g.vendorId)).toEqual(token.chainIds.map(() => 'music'));
    // Another vendor sees another pseudonym.
    const other = await sp.http('POST', '/mobile/vendors/greetings/token', as(PREPAID));
    expect(other.json<{ subscriber: string }>().subscriber).not.toBe(subscriber);
    // The wallet handle checks a slice out for this vendor, signed by it; not for another.
    const checkout = sp.app.get(CheckoutWalletHandler);
    const slice = await checkout.execute(signedCheckout(key, 'music', token.wallet, 5));
    expect(slice.paywords).toHaveLength(5);
    const rogue = signingKeyFromPrivate('greetings-k1', '44'.repeat(32));
    await expect(checkout.execute(signedCheckout(rogue, 'greetings', token.wallet, 5))).rejects.toMatchObject(
      {
        code: expect.stringMatching(/^CHECKOUT\./),
      },
    );
    expect(createSigner(rogue).keyId).toBe('greetings-k1');
  });

  it('a subscriber withdraws a vendor through the gateway: its slice ends, its token opens nothing more', async () => {
    const key = await registerVendor(sp.http, 'clips');
    const res = await sp.http('POST', '/mobile/vendors/clips/token', as(PREPAID));
    const token = decodeSubscriberToken(res.json<{ subscriberToken: string }>().subscriberToken);
    const checkout = sp.app.get(CheckoutWalletHandler);
    const slice = await checkout.execute(signedCheckout(key, 'clips', token.wallet, 4));
    expect(slice.paywords).toHaveLength(4);
    const noGateway = await sp.http('DELETE', '/mobile/vendors/clips', { headers: { 'x-msisdn': PREPAID } });
    expect(noGateway.json()).toMatchObject({ code: 'OPERATOR.GATEWAY_UNAUTHORISED' });
    const bad = await sp.http('DELETE', '/mobile/vendors/not%20a%20vendor', as(PREPAID));
    expect(bad.status).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'REQUEST.INVALID' });
    const withdrawn = await sp.http('DELETE', '/mobile/vendors/clips', as(PREPAID));
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.json()).toEqual({ vendorId: 'clips', authorised: false, slicesWithdrawn: 1 });
    // A repeat changes nothing.
    const again = await sp.http('DELETE', '/mobile/vendors/clips', as(PREPAID));
    expect(again.json()).toEqual({ vendorId: 'clips', authorised: false, slicesWithdrawn: 0 });
    await expect(checkout.execute(signedCheckout(key, 'clips', token.wallet, 4))).rejects.toMatchObject({
      code: 'CHECKOUT.VENDOR_NOT_AUTHORISED',
    });
  });

  it('refuses a token for a vendor it does not know', async () => {
    const res = await sp.http('POST', '/mobile/vendors/nobody/token', as(PREPAID));
    expect(res.status).toBe(404);
    expect(res.json()).toMatchObject({ code: 'VENDOR.NOT_FOUND' });
  });
});
