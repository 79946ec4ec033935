import { describe, expect, it } from '@jest/globals';
import { line, runDemo } from './demo-run.js';
import { stackPorts } from './ports.js';

const cents = (text: string): number => Math.round(Number(text) * 100);

describe('npm run demo -- --network mobile', () => {
  it('a Mobile-NetPay day across processes: operator billing, hand-offs, refusals, a clean audit', async () => {
    const { code, out } = await runDemo(
      ['--network', 'mobile', '--spends', '60', '--seed', '5'],
      await stackPorts(),
    );
    expect({ code, tail: out.slice(-3000) }).toEqual({ code: 0, tail: out.slice(-3000) });
    expect(line(out, 'audit')).toMatch(/CLEAN/);
    // One prepaid subscriber ran out of balance, one postpaid hit the cap: refused with reasons.
    expect(out).toMatch(/Mere .*PURCHASE\.DECLINED prepaid-balance-insufficient/);
    expect(out).toMatch(/Sione .*PURCHASE\.DECLINED postpaid-cap-reached/);
    // A wallet with coins left is never refused for want of paywords (a vendor's stale view of a
    // chain that had moved on elsewhere made it so: the broker's checkout passes over chains with
    // too few coins, so a real shortage is CHECKOUT.NO_COINS).
    expect(out).not.toContain('WALLET.NO_PAYWORDS');
    // The refused purchases charged nothing: Mere's balance is her opening balance less one purchase.
    expect(out).toMatch(/Mere .* charged NZD 5\.00 {2}balance NZD 1\.00 of NZD 6\.00/);
    expect(out).toMatch(/Sione .* charged NZD 10\.00 {2}bill NZD 10\.00 \(cap NZD 15\.00\)/);
    expect(out).toMatch(/refused {2}forged subscriber token .*: SUBSCRIBER_TOKEN\.INVALID/);
    expect(out).toMatch(
      /refused {2}music's subscriber token replayed at greetings: SUBSCRIBER_TOKEN\.WRONG_VENDOR/,
    );
    // The wallet moved vendor to vendor by hand-off.
    expect(line(out, 'e-wallet moves')).toMatch(/[1-9]\d* hand-offs vendor to vendor/);
    // The operator billed what the subscribers were charged; each vendor was paid its coins × 5 cents.
    const charged = [...out.matchAll(/ charged NZD (\d+\.\d\d)/g)].reduce((n, m) => n + cents(m[1]!), 0);
    expect(line(out, 'operator billed')).toContain(`NZD ${(charged / 100).toFixed(2)}`);
    const vendors = out.split('\n').filter((l) => /^ {2}(newspaper|greetings|music) /.test(l));
    expect(vendors.length).toBeGreaterThanOrEqual(2);
    for (const v of vendors) {
      const [, c, paid] = /(\d+) coins\s+paid NZD (\d+\.\d\d)/.exec(v) ?? [];
      expect(cents(paid!)).toBe(Number(c) * 5);
    }
  }, 300_000);
});
