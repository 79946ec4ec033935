import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import {
  createSigner,
  decodeSubscriberToken,
  encodeSubscriberToken,
  signingKeyFromPrivate,
  signSubscriberToken,
  signWalletGrant,
} from '#protocol';
import { BrokerKeyRing } from '../../../broker/src/keys/broker-key-ring.js';
import { CheckoutWalletHandler } from '../../../broker/src/checkout-wallet/checkout-wallet.handler.js';
import { eventTypes } from '../../test/chain-audit.js';
import { type BrokeredVendor, RealBrokerStack } from '../../test/real-broker-stack.js';

const GATEWAY = 'gateway-token-for-int-tests-01';
const PREPAID = '+64219000001';
const POSTPAID = '+64219000002';

/**
 * Mobile-NetPay on real NATS, JetStream and Redis: the broker as the SP (operator billing,
 * subscribers, subscriber tokens) and two real vendor apps. The wallet goes SP → music (checkout)
 * → greetings (hand-off with the token's grant, no SP call).
 */
describe('Mobile-NetPay: SP → first vendor → next vendor, and the refusals', () => {
  let stack: RealBrokerStack;
  let music: BrokeredVendor;
  let greetings: BrokeredVendor;
  const as = (msisdn: string) => ({ token: GATEWAY, headers: { 'x-msisdn': msisdn } });
  const tokenFor = async (msisdn: string, vendorId: string): Promise<string> => {
    const res = await stack.broker.http('POST', `/mobile/vendors/${vendorId}/token`, as(msisdn));
    if (res.status !== 201) throw new Error(`token: ${res.status} ${res.text}`);
    return res.json<{ subscriberToken: string }>().subscriberToken;
  };
  const debit = (vendor: BrokeredVendor, checkoutToken: string, count = 2, key = randomUUID()) =>
    vendor.http('POST', '/debits', {
      body: { checkoutToken, count, resource: `clip-${key.slice(0, 8)}` },
      headers: { 'idempotency-key': key },
    });

  beforeAll(async () => {
    stack = await RealBrokerStack.start({
      brokerEnv: {
        BROKER_NETWORKS: 'web,mobile',
        OPERATOR_GATEWAY_TOKEN: GATEWAY,
        OPERATOR_SUBSCRIBERS: `${PREPAID}:prepaid:NZD:150,${POSTPAID}:postpaid:NZD:100`,
      },
    });
    music = await stack.vendor('music');
    greetings = await stack.vendor('greetings');
    await Promise.all([music.registration.done, greetings.registration.done]);
  }, 120_000);
  afterAll(() => stack?.dispose());

  it('moves the wallet SP → music → greetings; greetings takes it from music without asking the SP', async () => {
    const bought = await stack.broker.http('POST', '/mobile/purchases', {
      ...as(PREPAID),
      key: 'int-prepaid-buy-1',
      body: { coins: 25, coinValue: 5, currency: 'NZD' },
    });
    expect(bought.status).toBe(201);
    const chainId = bought.json<{ chains: { chainId: string }[] }>().chains[0]!.chainId;

    const checkouts = jest.spyOn(stack.broker.app.get(CheckoutWalletHandler), 'execute');
    const atMusic = await tokenFor(PREPAID, 'music');
    expect((await debit(music, atMusic)).status).toBe(201);
    expect((await debit(music, atMusic)).status).toBe(201);
    expect(checkouts).toHaveBeenCalledTimes(1); // the first vendor's checkout
    const atGreetings = await tokenFor(PREPAID, 'greetings');
    const card = await debit(greetings, atGreetings, 3);
    expect(card.status).toBe(201);
    expect(card.json()).toMatchObject({ receipt: { chainId, fromIndex: 5, toIndex: 7 } });
    expect(checkouts).toHaveBeenCalledTimes(1); // the hand-off needed no SP call
    checkouts.mockRestore();
    const types = await eventTypes(stack.store, chainId);
    expect(types).toEqual([
      'ChainIssued',
      'WalletCheckedOut',
      'CoinsSpent',
      'CoinsSpent',
      'IndexHandedOff',
      'CoinsSpent',
    ]);
    // And back to music: it takes the wallet from greetings the same way.
    expect((await debit(music, await tokenFor(PREPAID, 'music'))).status).toBe(201);
  }, 120_000);

  it('a retried purchase is charged once; a purchase over the balance or the cap is refused and charges nothing', async () => {
    const buy = (msisdn: string, coins: number, key: string) =>
      stack.broker.http('POST', '/mobile/purchases', {
        ...as(msisdn),
        key,
        body: { coins, coinValue: 5, currency: 'NZD' },
      });
    const [a, b] = await Promise.all([buy(POSTPAID, 12, 'int-post-1'), buy(POSTPAID, 12, 'int-post-1')]);
    expect(a.status).toBe(201);
    expect(b.json()).toMatchObject({ purchaseId: a.json().purchaseId });
    const over = await buy(POSTPAID, 10, 'int-post-2');
    expect(over.status).toBe(402);
    expect(over.json()).toMatchObject({ code: 'PURCHASE.DECLINED', reason: 'postpaid-cap-reached' });
    const short = await buy(PREPAID, 100, 'int-pre-2');
    expect(short.json()).toMatchObject({ code: 'PURCHASE.DECLINED', reason: 'prepaid-balance-insufficient' });
    const post = await stack.broker.http('GET', '/mobile/account', as(POSTPAID));
    expect(post.json()).toMatchObject({ account: { charged: 60, bill: { charged: 60, capLeft: 40 } } });
    const pre = await stack.broker.http('GET', '/mobile/account', as(PREPAID));
    expect(pre.json()).toMatchObject({ account: { balance: 25, charged: 125 } });
  }, 120_000);

  it('refuses forged, expired, re-targeted and tampered subscriber tokens, spending nothing', async () => {
    const good = decodeSubscriberToken(await tokenFor(POSTPAID, 'music'));
    const ring = stack.broker.app.get(BrokerKeyRing);
    const rogue = createSigner(signingKeyFromPrivate(ring.currentKeyId, '55'.repeat(32)));
    const forged = encodeSubscriberToken(signSubscriberToken(good, good.grants, rogue));
    const past = '2026-01-01T00:00:00.000Z';
    const expiredBody = { ...good, notBefore: '2025-12-31T23:00:00.000Z', notAfter: past };
    const expiredGrants = good.chainIds.map((chainId) =>
      signWalletGrant(
        {
          chainId,
          vendorId: 'music',
          issuedAt: '2025-12-31T23:00:00.000Z',
          notAfter: past,
          brokerKeyId: ring.currentKeyId,
        },
        ring.signer,
      ),
    );
    const expired = encodeSubscriberToken(signSubscriberToken(expiredBody, expiredGrants, ring.signer));
    const otherWallet = decodeSubscriberToken(await tokenFor(PREPAID, 'music')).wallet;
    const tampered = encodeSubscriberToken({ ...good, wallet: otherWallet });
    const cases: [string, BrokeredVendor, string][] = [
      ['SUBSCRIBER_TOKEN.INVALID', music, forged],
      ['SUBSCRIBER_TOKEN.EXPIRED', music, expired],
      ['SUBSCRIBER_TOKEN.WRONG_VENDOR', greetings, await tokenFor(POSTPAID, 'music')],
      ['SUBSCRIBER_TOKEN.INVALID', music, tampered],
      ['SUBSCRIBER_TOKEN.INVALID', music, 'nst1.bm90LWpzb24'],
    ];
    const before = await Promise.all(good.chainIds.map((c) => eventTypes(stack.store, c)));
    for (const [code, vendor, token] of cases) {
      const res = await debit(vendor, token);
      expect({ code, status: res.status, body: res.json() }).toMatchObject({
        code,
        status: 403,
        body: { code },
      });
    }
    expect(await Promise.all(good.chainIds.map((c) => eventTypes(stack.store, c)))).toEqual(before);
    // The token itself still works for the vendor it names.
    expect((await debit(music, encodeSubscriberToken(good))).status).toBe(201);
  }, 120_000);

  it('GET /m/wallet answers the coins left for a subscriber token, and refuses anything else with its code', async () => {
    const bought = await stack.broker.http('POST', '/mobile/purchases', {
      ...as(PREPAID),
      key: 'int-prepaid-buy-wallet',
      body: { coins: 5, coinValue: 5, currency: 'NZD' },
    });
    expect(bought.status).toBe(201);
    const atMusic = await tokenFor(PREPAID, 'music');
    const before = await music.http('GET', '/m/wallet', { headers: { 'x-netpay-checkout': atMusic } });
    expect(before.status).toBe(200);
    const left = before.json<{ coinsLeft: number; subscriber: string }>();
    expect(left.subscriber).toBe(decodeSubscriberToken(atMusic).subscriber);
    expect(JSON.stringify(left)).not.toContain(PREPAID.slice(1));
    expect((await debit(music, atMusic, 2)).status).toBe(201);
    const after = await music.http('GET', '/m/wallet', { headers: { 'x-netpay-checkout': atMusic } });
    expect(after.json<{ coinsLeft: number }>().coinsLeft).toBe(left.coinsLeft - 2);
    const cases: [string, number, Record<string, string>][] = [
      ['SUBSCRIBER_TOKEN.MISSING', 401, {}],
      ['SUBSCRIBER_TOKEN.MISSING', 401, { 'x-netpay-checkout': 'not-a-subscriber-token' }],
      ['SUBSCRIBER_TOKEN.INVALID', 403, { 'x-netpay-checkout': 'nst1.bm90LWpzb24' }],
      ['SUBSCRIBER_TOKEN.WRONG_VENDOR', 403, { 'x-netpay-checkout': atMusic }],
    ];
    for (const [code, status, headers] of cases) {
      const vendor = code === 'SUBSCRIBER_TOKEN.WRONG_VENDOR' ? greetings : music;
      const res = await vendor.http('GET', '/m/wallet', { headers });
      expect({ status: res.status, code: res.json<{ code: string }>().code }).toEqual({ status, code });
    }
  }, 120_000);
});
