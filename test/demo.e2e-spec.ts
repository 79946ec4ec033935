import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { line, runDemo } from './demo-run.js';
import { stackPorts } from './ports.js';

describe('npm run demo', () => {
  it('runs a whole day across processes and exits 0 with a clean audit', async () => {
    const { code, out } = await runDemo(
      ['--customers', '6', '--spends', '60', '--seed', '11', '--keep'],
      await stackPorts(),
    );
    expect({ code, tail: out.slice(-3000) }).toEqual({ code: 0, tail: out.slice(-3000) });
    expect(line(out, 'audit')).toMatch(/CLEAN/);
    // Every protocol attack was refused with its stable code.
    expect(out).toMatch(/refused {2}double spend .*: SPEND\.PAYWORD_REPLAYED/);
    expect(out).toMatch(/refused {2}forged payword .*: SPEND\.PAYWORD_FORGED/);
    // A vendor crashed mid-day, another claimed its chains, and it came back.
    expect(line(out, 'hand-offs')).toMatch(/of which [1-9]\d* claimed/);
    expect(line(out, 'vendor restarts')).toMatch(/1/);
    // A customer cashed out a chain: its unspent coins were refunded (and the audit stayed clean).
    expect(line(out, 'cash-out')).toMatch(
      /1 chain\(s\) closed, [1-9]\d* unspent coins, NZD \d+\.\d\d refunded/,
    );
    // A one-day chain, part-spent, expired by the clock of the broker restarted 3 days later: the
    // expiry sweep closed it and refunded its unspent coins (34 of 40: 3 articles at 2 coins) to
    // the customer's bank account, and the audit (R4.EXPIRY_* included) stayed clean.
    expect(out).toMatch(/chain \S+ expired with 34 unspent coins; NZD 1\.70 refunded to acct_customer_short/);
    expect(line(out, 'expiry')).toMatch(
      /^expiry +1 chain\(s\) expired .*, 34 unspent coins, NZD 1\.70 refunded$/,
    );
    // The night paid every vendor something, and the sales add up to the coins spent.
    const vendors = out.split('\n').filter((l) => /^ {2}(newspaper|greetings|music) /.test(l));
    expect(vendors).toHaveLength(3);
    for (const v of vendors) expect(v).not.toMatch(/paid NZD 0\.00/);
    const coins = vendors.reduce((sum, v) => sum + Number(/(\d+) coins/.exec(v)?.[1] ?? NaN), 0);
    expect(line(out, 'content sold')).toContain(`${coins} coins spent`);
    // Each vendor was paid exactly its coins × 5 cents.
    for (const v of vendors) {
      const [, c, paid] = /(\d+) coins\s+paid NZD (\d+\.\d\d)/.exec(v) ?? [];
      expect(Math.round(Number(paid) * 100)).toBe(Number(c) * 5);
    }
    // --keep: the kept stream is audited again with exactly the command the demo printed.
    const command = /^audit it with\s+npm run audit -- --env (\S+)$/m.exec(out)?.[1];
    expect(command).toMatch(/^\.stack\/demo\/NETPAY_DEMO_\w+\.env$/);
    expect(line(out, '  BROKER_ROOT_PUBLIC_KEYS=')).toMatch(
      /^ {2}BROKER_ROOT_PUBLIC_KEYS=broker-root:[0-9a-f]{64}$/,
    );
    expect(existsSync(command!)).toBe(true);
    const audit = spawnSync(process.execPath, ['dist/apps/auditor/src/main.js', '--env', command!], {
      env: { PATH: process.env.PATH ?? '' },
      encoding: 'utf8',
    });
    rmSync(command!, { force: true });
    expect({ status: audit.status, tail: audit.stdout.slice(-1500) }).toMatchObject({ status: 0 });
    expect(audit.stdout).toMatch(/Result\s+PASS/);
    expect(audit.stdout).toMatch(/settled at expiry\s+170\n/);
  }, 300_000);
});
