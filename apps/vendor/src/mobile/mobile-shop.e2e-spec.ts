import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import {
  decodeSubscriberToken,
  encodeSubscriberToken,
  signSubscriberToken,
  signWalletGrant,
} from '#protocol';
import { CHROMIUM_ARGS, ensureChromium } from '../../../../test/browser/chromium.js';
import { BrokerKeyRing } from '../../../broker/src/keys/broker-key-ring.js';
import { eventTypes } from '../../test/chain-audit.js';
import { type BrokeredVendor, RealBrokerStack } from '../../test/real-broker-stack.js';

const GATEWAY = 'gateway-token-for-shop-test-01';
const MSISDN = '+64217000001';
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true } as const;
const WAIT = { timeout: 30_000 };
const chromiumPath = ensureChromium();
const shots = process.env.NETPAY_SCREENSHOTS_DIR ?? join('.stack', 'screenshots');

/**
 * Mobile-NetPay end to end in a real Chromium at a phone's size, on real NATS, JetStream and
 * Redis: the SP's page (buy coins with one tap) → the music vendor's content pages (buy clips
 * with one tap, coins left going down) → the greetings vendor (the wallet moves by hand-off) →
 * a card; and the clear pages for "not enough coins" and a missing, expired or forged token.
 * The test plays the operator's gateway: it adds the SP's headers on the SP's pages, and the
 * subscriber token for that vendor (`X-NetPay-Checkout`) on a vendor's pages.
 */
(chromiumPath ? describe : describe.skip)(
  'a vendor’s mobile content pages (Chromium, phone viewport)',
  () => {
    let stack: RealBrokerStack;
    let music: BrokeredVendor;
    let greetings: BrokeredVendor;
    let browser: Browser;
    let context: BrowserContext;
    let page: Page;
    const spHeaders = { authorization: `Bearer ${GATEWAY}`, 'x-msisdn': MSISDN };

    const tokenFor = async (vendorId: string): Promise<string> => {
      const res = await stack.broker.http('POST', `/mobile/vendors/${vendorId}/token`, {
        token: GATEWAY,
        headers: { 'x-msisdn': MSISDN },
      });
      if (res.status !== 201) throw new Error(`token: ${res.status} ${res.text}`);
      return res.json<{ subscriberToken: string }>().subscriberToken;
    };
    /** Opens a vendor's phone page as the gateway would: with the subscriber token for that vendor. */
    const visit = async (vendor: BrokeredVendor, token: string | undefined): Promise<void> => {
      await context.setExtraHTTPHeaders(token === undefined ? {} : { 'x-netpay-checkout': token });
      await page.goto(`${await vendor.app.getUrl()}/m`);
    };
    const coins = async (): Promise<number> => {
      await page.locator('#wallet-coins').filter({ hasText: /^\d+$/ }).waitFor(WAIT);
      return Number(await page.locator('#wallet-coins').innerText());
    };
    /** Taps an item's buy button; answers the coins left the page shows after the purchase. */
    const tap = async (item: string): Promise<number> => {
      await page.tap(`[data-buy=${item}]`);
      await page.waitForSelector('#coins-left, #refusal', WAIT);
      const refused = await page.$('#refusal');
      if (refused) throw new Error(`refused: ${await refused.textContent()}`);
      return Number(await page.locator('#coins-left').innerText());
    };
    const shot = (name: string): Promise<Buffer> =>
      page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });

    beforeAll(async () => {
      mkdirSync(shots, { recursive: true });
      stack = await RealBrokerStack.start({
        brokerEnv: {
          BROKER_NETWORKS: 'web,mobile',
          OPERATOR_GATEWAY_TOKEN: GATEWAY,
          OPERATOR_SUBSCRIBERS: `${MSISDN}:prepaid:NZD:100`,
        },
      });
      music = await stack.vendor('music');
      greetings = await stack.vendor('greetings');
      await Promise.all([music.registration.done, greetings.registration.done]);
      browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS });
      context = await browser.newContext(PHONE);
      page = await context.newPage();
    }, 120_000);
    afterAll(async () => {
      await browser?.close();
      await stack?.dispose();
    }, 60_000);

    it('SP page → buy coins → clips at music (coins left goes down) → a card at greetings (hand-off)', async () => {
      await context.setExtraHTTPHeaders(spHeaders);
      await page.goto(`${await stack.broker.app.getUrl()}/mobile`);
      await page.locator('#money').filter({ hasText: 'Balance NZD 1.00' }).waitFor(WAIT);
      await page.tap('#buy');
      await page.locator('#status').filter({ hasText: 'Bought 20 coins' }).waitFor(WAIT);

      await visit(music, await tokenFor('music'));
      expect(await coins()).toBe(20);
      await expect(page.locator('[data-buy=m1]').innerText()).resolves.toBe('Play · 5 coins');
      await shot('mobile-shop-list');
      expect(await tap('m1')).toBe(15);
      await expect(page.locator('#content h1').innerText()).resolves.toBeTruthy();
      await shot('mobile-shop-paid');
      await page.tap('#back');
      expect(await tap('a1')).toBe(13);
      await expect(page.locator('#wallet-coins').innerText()).resolves.toBe('13');

      await visit(greetings, await tokenFor('greetings'));
      expect(await coins()).toBe(13);
      expect(await tap('birthday')).toBe(10);
      // The wallet moved music → greetings by hand-off with the rest of music's slice: greetings did
      // not ask the SP (music checked out 10 coins and spent 7).
      const chainId = decodeSubscriberToken(await tokenFor('greetings')).chainIds[0]!;
      const types = await eventTypes(stack.store, chainId);
      console.log(
        'TYPES',
        JSON.stringify(types),
        JSON.stringify((await stack.store.readStream('chain-' + chainId)).map((r) => r.data)),
      );
      expect(types).toContain('IndexHandedOff');
      expect(types.slice(types.indexOf('IndexHandedOff'))).not.toContain('WalletCheckedOut');

      // Fits a phone: nothing wider than the viewport, buttons big enough to tap.
      await page.tap('#back');
      const overflow = await page.evaluate('document.documentElement.scrollWidth - window.innerWidth');
      expect(overflow).toBe(0);
      const button = await page.locator('[data-buy=birthday]').boundingBox();
      expect(button?.height ?? 0).toBeGreaterThanOrEqual(44);
    }, 180_000);

    it('says "not enough coins" with a way to buy more, and nothing is bought', async () => {
      // 10 coins left: two clips (5 each), then an article is more than the wallet holds.
      expect(await tap('m1')).toBe(5);
      await page.tap('#back');
      expect(await tap('m2')).toBe(0);
      await page.tap('#back');
      await page.tap('[data-buy=a2]');
      const refusal = page.locator('#refusal');
      await refusal.waitFor(WAIT);
      await expect(refusal.locator('h1').innerText()).resolves.toBe('Not enough coins');
      await expect(page.locator('#buy-more').getAttribute('href')).resolves.toBe(
        `${(await stack.broker.app.getUrl()).replace(/\/+$/, '')}/mobile`,
      );
      expect(await page.locator('#wallet-coins').innerText()).toBe('0');
      await shot('mobile-shop-not-enough-coins');
    }, 120_000);

    it('refuses a visit without the operator, with an expired token, and with a forged one, each with its page', async () => {
      await visit(music, undefined);
      await expect(page.locator('#refusal').getAttribute('data-code', WAIT)).resolves.toBe(
        'SUBSCRIBER_TOKEN.MISSING',
      );
      await expect(page.locator('#refusal h1').innerText()).resolves.toBe(
        'Open this shop through your operator',
      );

      const good = decodeSubscriberToken(await tokenFor('music'));
      const ring = stack.broker.app.get(BrokerKeyRing);
      const past = '2026-01-01T00:00:00.000Z';
      const grants = good.chainIds.map((chainId) =>
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
      const expired = encodeSubscriberToken(
        signSubscriberToken(
          { ...good, notBefore: '2025-12-31T23:00:00.000Z', notAfter: past },
          grants,
          ring.signer,
        ),
      );
      await visit(music, expired);
      await expect(page.locator('#refusal').getAttribute('data-code', WAIT)).resolves.toBe(
        'SUBSCRIBER_TOKEN.EXPIRED',
      );
      await expect(page.locator('#refusal h1').innerText()).resolves.toBe('Your visit has expired');
      await shot('mobile-shop-expired');

      // Another vendor's token: refused at music.
      await visit(music, await tokenFor('greetings'));
      await expect(page.locator('#refusal').getAttribute('data-code', WAIT)).resolves.toBe(
        'SUBSCRIBER_TOKEN.WRONG_VENDOR',
      );
      await visit(music, 'nst1.bm90LWpzb24');
      await expect(page.locator('#refusal').getAttribute('data-code', WAIT)).resolves.toBe(
        'SUBSCRIBER_TOKEN.INVALID',
      );
    }, 120_000);
  },
);
