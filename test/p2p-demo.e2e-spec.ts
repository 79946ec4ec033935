import { describe, expect, it } from '@jest/globals';
import { line, runDemo } from './demo-run.js';
import { freePortBlock } from './ports.js';

describe('npm run demo -- --network p2p', () => {
  it('runs a P2P-NetPay day across processes: free-rider capped, double spender revoked, night, clean audit', async () => {
    // The Central Index Server on the first port, its six peers on the next.
    const base = String(await freePortBlock(7));
    const ports = { CIS_PORT: base, PEER_BASE_PORT: base };
    const { code, out } = await runDemo(['--network', 'p2p', '--downloads', '24', '--seed', '5'], ports);
    expect({ code, tail: out.slice(-3000) }).toEqual({ code: 0, tail: out.slice(-3000) });
    expect(line(out, 'audit')).toMatch(/CLEAN .* 1 double spend proven, 1 pseudonym revoked/);
    expect(line(out, 'free-rider')).toMatch(/CIS\.PURCHASE_CAPPED — contribution policy: .*base 40 \+ 2 × 0/);
    expect(line(out, 'double spend')).toMatch(/P2P\.DOUBLE_SPEND, proven .* then P2P\.PSEUDONYM_REVOKED/);
    expect(line(out, 'downloads')).toMatch(/^downloads +24 paid/);
    // The S-peer without the event store journalled its sales; they were paid at redemption.
    expect(line(out, 'downloads')).toMatch(/[1-9]\d* journalled/);
    expect(line(out, 'night')).toMatch(/p5 [1-9]\d* coins/);
    expect(line(out, 'supplying pays')).toMatch(/allowed/);
  }, 600_000);
});
