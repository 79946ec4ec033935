import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { BrowserContext, Page } from 'playwright-core';
import { ensureChromium, launchChromium } from './browser/chromium.js';
import { ServedStack } from './browser/stack.js';

// Issue 17 item 7, in a real browser: two tabs of one browser pay at the same moment for two
// different articles. The wallet frames of both tabs share one stored vault (the broker origin's
// localStorage); the Web Lock `netpay-wallet` makes the second reserve after the first has saved.
const chromiumPath = ensureChromium();
const suite = chromiumPath ? describe : describe.skip;
const PASSPHRASE = 'two tabs one wallet';
const WAIT = { timeout: 30_000 };

interface HistoryEntry {
  readonly kind: string;
  readonly fromIndex?: number;
  readonly toIndex?: number;
  readonly resource?: string;
}

suite('the browser wallet in two tabs (Chromium)', () => {
  let stack: ServedStack;
  let browser: BrowserContext;

  beforeAll(async () => {
    stack = await ServedStack.start();
    browser = await launchChromium(chromiumPath!);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  }, 60_000);

  async function shopTab(): Promise<Page> {
    const page = await browser.newPage();
    await page.goto(`${stack.newspaper}/`);
    const wallet = page.frameLocator('#wallet');
    await wallet.locator('#passphrase').fill(PASSPHRASE);
    await wallet.locator('#unlock button').click();
    await wallet.locator('#wallet-coins').waitFor(WAIT);
    return page;
  }

  it('never sends one payword for two purchases: two tabs paying at once spend distinct positions', async () => {
    const acct = `acct_tabs_${Date.now().toString(36)}`;
    const { mandate } = await stack.call<{ mandate: string }>('POST', `${stack.broker}/bank/accounts`, {
      accountId: acct,
      currency: 'NZD',
      balance: 100_000,
    });
    const broker = await browser.newPage();
    await broker.goto(`${stack.broker}/`);
    await broker.fill('#reg-name', 'Two Tabs');
    await broker.fill('#reg-account', acct);
    await broker.fill('#reg-mandate', mandate);
    await broker.click('#register button[type=submit]');
    const token = (await broker.locator('#sign-in-key').textContent(WAIT))!.trim();
    await broker.click('text=Continue: buy coins');
    await broker.fill('#buy-coins', '20');
    await broker.fill('#buy-passphrase', PASSPHRASE);
    await broker.fill('#buy-repeat', PASSPHRASE);
    await broker.click('#buy-form button[type=submit]');
    await expect(broker.locator('#bought').textContent(WAIT)).resolves.toContain('Bought 20 coins');
    await broker.close();

    const [one, two] = [await shopTab(), await shopTab()];
    // An allowance (kept for the shop in the wallet's origin): both pay without asking.
    await one.frameLocator('#wallet').locator('#allow').fill('100');
    await one.frameLocator('#wallet').locator('#allowance button').click();
    await one.frameLocator('#wallet').locator('#allow').waitFor(WAIT);
    await one.click('li[data-item=a1] a.button');
    await two.click('li[data-item=a2] a.button');
    await Promise.all([one.waitForSelector('#pay-button', WAIT), two.waitForSelector('#pay-button', WAIT)]);

    // The first payment to leave is held 600 ms on its way to the shop: the other tab's request,
    // for later positions, must not overtake it (it would be accepted first, and this one refused
    // as a replay). The wallet sends one client-side payment at a time across tabs.
    let held = false;
    await browser.route('**/articles/*', async (route) => {
      if (route.request().headers()['x-netpay-payment'] !== undefined && !held) {
        held = true;
        await new Promise((r) => setTimeout(r, 600));
      }
      await route.continue();
    });
    // Both payments start at the same moment (not awaited one after the other).
    await Promise.all([
      one.evaluate("document.querySelector('#pay-button').click()"),
      two.evaluate("document.querySelector('#pay-button').click()"),
    ]);
    const outcome = async (page: Page): Promise<string> => {
      await page.waitForSelector('#coins-left, #refusal', WAIT);
      const refusal = await page.$('#refusal');
      return refusal ? `refused ${await refusal.getAttribute('data-code')}` : 'paid';
    };
    const outcomes = await Promise.all([outcome(one), outcome(two)]);
    await browser.unroute('**/articles/*');
    expect(held).toBe(true);
    for (const o of outcomes) expect(o).not.toMatch(/PAYWORD_REPLAYED|PAYWORD_SKIPPED/);
    expect(outcomes).toEqual(['paid', 'paid']);

    // The chain's events (CoinsSpent, as the broker's history shows them): two spends, two ranges.
    let spends: HistoryEntry[] = [];
    for (let i = 0; i < 40 && spends.length < 2; i++) {
      const history = await stack.call<{ entries: HistoryEntry[] }>(
        'GET',
        `${stack.broker}/wallet/history?limit=500`,
        undefined,
        token,
      );
      spends = history.entries.filter((e) => e.kind === 'spend');
      if (spends.length < 2) await new Promise((r) => setTimeout(r, 250));
    }
    expect(spends).toHaveLength(2);
    expect(spends.map((s) => s.resource).sort()).toEqual(['GET /articles/a1', 'GET /articles/a2']);
    expect(new Set(spends.map((s) => s.toIndex)).size).toBe(2);
    const ranges = spends.map((s) => [s.fromIndex!, s.toIndex!]).sort((a, b) => a[0]! - b[0]!);
    expect(ranges[1]![0]).toBeGreaterThan(ranges[0]![1]!);
  }, 240_000);
});
