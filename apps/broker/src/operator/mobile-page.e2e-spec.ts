import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type Browser, chromium } from 'playwright-core';
import { InMemoryEventStore } from '#event-store';
import { CHROMIUM_ARGS, ensureChromium } from '../../../../test/browser/chromium.js';
import { startBroker, testBrokerConfig, type TestBroker } from '../test/broker-harness.js';

const GATEWAY = 'gateway-token-for-page-test-01';
const MSISDN = '+64216000001';
const chromiumPath = ensureChromium();

/** The SP's phone page in a real Chromium at a phone's size, the operator's gateway injecting the subscriber. */
(chromiumPath ? describe : describe.skip)('the SP’s mobile page (Chromium, phone viewport)', () => {
  let sp: TestBroker;
  let browser: Browser;

  beforeAll(async () => {
    sp = await startBroker({
      store: new InMemoryEventStore(),
      config: testBrokerConfig({
        BROKER_NETWORKS: 'mobile',
        OPERATOR_GATEWAY_TOKEN: GATEWAY,
        OPERATOR_SUBSCRIBERS: `${MSISDN}:prepaid:NZD:300`,
      }),
    });
    // Playwright gives each launch a new empty profile of its own (it refuses --user-data-dir here).
    browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await sp?.close();
  });

  it('shows the balance, buys coins with one tap, and says why when the balance is short', async () => {
    const context = await browser.newContext({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
      extraHTTPHeaders: { authorization: `Bearer ${GATEWAY}`, 'x-msisdn': MSISDN },
    });
    const page = await context.newPage();
    await page.goto(`${await sp.app.getUrl()}/mobile`);
    const money = page.locator('#money');
    const coins = page.locator('#coins');
    const status = page.locator('#status');
    const shows = (id: string, text: string) => page.locator(`#${id}`).filter({ hasText: text }).waitFor();
    await shows('money', 'Balance NZD 3.00');
    expect(await coins.innerText()).toBe('E-wallet NZD 0.00');
    for (const left of ['2.00', '1.00', '0.00']) {
      await page.tap('#buy');
      await shows('money', `Balance NZD ${left}`);
      expect(await status.innerText()).toBe('Bought 20 coins');
    }
    expect(await coins.innerText()).toBe('E-wallet NZD 3.00');
    await page.tap('#buy');
    await page.locator('#status').filter({ hasText: 'Refused' }).waitFor();
    expect(await status.innerText()).toBe(
      'Refused. Your operator declined the charge: the prepaid balance is too low: top up, then buy again. ' +
        'Nothing was charged. (prepaid-balance-insufficient)',
    );
    expect(await money.innerText()).toBe('Balance NZD 0.00');
    // Fits a phone: nothing wider than the viewport, the button big enough to tap.
    type Doc = { document: { documentElement: { scrollWidth: number } } };
    const width = await page.evaluate(
      () => (globalThis as unknown as Doc).document.documentElement.scrollWidth,
    );
    expect(width).toBeLessThanOrEqual(390);
    const button = await page.locator('#buy').boundingBox();
    expect(button?.height ?? 0).toBeGreaterThanOrEqual(44);
    await context.close();
  }, 120_000);

  it('without the gateway the page answers OPERATOR.GATEWAY_UNAUTHORISED, not the account', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
    const page = await context.newPage();
    const response = await page.goto(`${await sp.app.getUrl()}/mobile`);
    expect(response?.status()).toBe(401);
    expect(await page.content()).toContain('OPERATOR.GATEWAY_UNAUTHORISED');
    await context.close();
  }, 60_000);
});
