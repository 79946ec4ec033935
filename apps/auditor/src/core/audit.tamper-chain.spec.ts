import { describe, expect, it } from '@jest/globals';
import { createSigner, generateSigningKey, signHandOffCertificate, type HandOffCertificate } from '#protocol';
import { auditHistory } from '../../test/audit-history.js';
import { fixedBytes, indexOf, rawAppend, withData, type Append } from '../../test/history.js';
import { honestHistory } from '../../test/scenarios.js';
import type { AuditReport } from './report.js';

const brokerKeys = honestHistory().brokerKeys;

function rules(report: AuditReport): string[] {
  return Object.keys(report.violationsByRule);
}

/** The violation of `code` at append `i` (in-memory positions are 1, 2, 3, …). */
function expectNamed(report: AuditReport, code: string, i: number, stream: string): void {
  expect(report.ok).toBe(false);
  expect(report.violations).toContainEqual(
    expect.objectContaining({ code, position: BigInt(i + 1), stream }),
  );
}

function lastIndex(appends: readonly Append[]): number {
  return appends.length - 1;
}

describe('Audit names tampering with chains (R0–R2)', () => {
  it('R1.PAYWORD_DOES_NOT_HASH: a spend showing a word that is not W[toIndex]', async () => {
    const h = honestHistory();
    const i = indexOf(h.appends, 'CoinsSpent', 1, 'chain-ch1'); // v1 spends 4..5
    const forged = withData(h.appends, i, (d) => ({ ...d, payword: h.chain('ch1').payword(4) }));
    const report = await auditHistory(forged, { brokerKeys });
    expectNamed(report, 'R1.PAYWORD_DOES_NOT_HASH', i, 'chain-ch1');
    // The forged spend is not v1's to redeem: its batch is caught too. It is not applied (as no
    // fold believes it), so the history written on it disagrees with the chain from there on: the
    // next spend skips, the hand-off and the cash-out count coins the chain still holds; the
    // hand-off, not at the chain's state, is not applied either (as no fold believes it), so the
    // next holder's spends are by a non-holder.
    expect(rules(report)).toEqual([
      'R1.INDEX_SKIPPED',
      'R1.PAYWORD_DOES_NOT_HASH',
      'R2.HANDOFF_MISMATCH',
      'R2.SPEND_BY_NON_HOLDER',
      'R3.PAID_ON_UNVERIFIED_ITEMS',
      'R3.REDEEMED_NOT_SPENT',
      'R4.LEDGER_UNBALANCED',
      'R4.MONEY_NOT_CONSERVED',
      'R4.PAID_MORE_THAN_SPENT',
    ]);
  });

  it('R2.SPEND_BY_NON_HOLDER: a vendor spending on after the customer withdrew its slice', async () => {
    const withdrawn = honestHistory().withdraw('ch3', 'v1'); // v1 held ch3 at index 6
    expect((await auditHistory(withdrawn.appends, { brokerKeys })).ok).toBe(true);
    const h = withdrawn.spend('ch3', 'v1', 1);
    const report = await auditHistory(h.appends, { brokerKeys });
    expectNamed(report, 'R2.SPEND_BY_NON_HOLDER', lastIndex(h.appends), 'chain-ch3');
    expect(rules(report)).toEqual(['R2.SPEND_BY_NON_HOLDER']);
  });

  it('R1.BAD_TOUCHSTONE_SIGNATURE: a touchstone changed after the broker signed it', async () => {
    const h = honestHistory();
    const i = indexOf(h.appends, 'ChainIssued', 1); // ch2
    const tampered = withData(h.appends, i, (d) => {
      const t = d.touchstone as Record<string, unknown>;
      return { ...d, touchstone: { ...t, expiresAt: '2099-01-01T00:00:00.000Z' } };
    });
    const report = await auditHistory(tampered, { brokerKeys });
    expectNamed(report, 'R1.BAD_TOUCHSTONE_SIGNATURE', i, 'chain-ch2');
    expect(report.violations.find((v) => v.code === 'R1.BAD_TOUCHSTONE_SIGNATURE')?.detail).toMatch(
      /does not verify/,
    );
  });

  it('R1.UNKNOWN_BROKER_KEY: without the broker key no touchstone passes', async () => {
    const h = honestHistory();
    const report = await auditHistory(h.appends, { brokerKeys: [] });
    expect(report.violationsByRule['R1.UNKNOWN_BROKER_KEY']).toBe(3);
    expectNamed(report, 'R1.UNKNOWN_BROKER_KEY', indexOf(h.appends, 'ChainIssued', 0), 'chain-ch1');
  });

  it('R1.POSITION_REPLAYED: the same positions accepted twice', async () => {
    const h = honestHistory();
    const spent = h.appends[indexOf(h.appends, 'CoinsSpent', 2, 'chain-ch3')]; // v1 spends 4..5
    if (spent === undefined) throw new Error('no spend');
    const replayed = [...h.appends, spent];
    const report = await auditHistory(replayed, { brokerKeys });
    expectNamed(report, 'R1.POSITION_REPLAYED', lastIndex(replayed), 'chain-ch3');
    expect(rules(report)).toEqual(['R1.POSITION_REPLAYED']);
  });

  it('R1.INDEX_SKIPPED: a spend that jumps ahead of the index', async () => {
    const h = honestHistory();
    const i = indexOf(h.appends, 'CoinsSpent', 1, 'chain-ch1');
    const skipped = withData(h.appends, i, (d) => ({ ...d, fromIndex: 5 }));
    const report = await auditHistory(skipped, { brokerKeys });
    expectNamed(report, 'R1.INDEX_SKIPPED', i, 'chain-ch1');
  });

  it('R2.SPEND_BY_NON_HOLDER: the old holder spends after handing off', async () => {
    const h = honestHistory().spend('ch1', 'v1', 1);
    const report = await auditHistory(h.appends, { brokerKeys });
    expectNamed(report, 'R2.SPEND_BY_NON_HOLDER', lastIndex(h.appends), 'chain-ch1');
    expect(rules(report)).toEqual(['R2.SPEND_BY_NON_HOLDER']);
  });

  it('R2.SPEND_BY_NON_HOLDER: a server-side wallet spent without a checkout', async () => {
    const h = honestHistory().purchase('p3', 'cust_alice', ['ch4'], { wallet: 'server' }).spend('ch4', 'v1');
    const report = await auditHistory(h.appends, { brokerKeys });
    expectNamed(report, 'R2.SPEND_BY_NON_HOLDER', lastIndex(h.appends), 'chain-ch4');
  });

  it('R2.SPEND_BEYOND_SLICE: past the end of the checked-out slice', async () => {
    const h = honestHistory().spend('ch3', 'v1', 2); // 6..7, slice ends at 6
    const report = await auditHistory(h.appends, { brokerKeys });
    expectNamed(report, 'R2.SPEND_BEYOND_SLICE', lastIndex(h.appends), 'chain-ch3');
    expect(rules(report)).toEqual(['R2.SPEND_BEYOND_SLICE']);
  });

  it('R2.BAD_HANDOFF_SIGNATURE: a certificate signed with a key that is not the vendor’s', async () => {
    const rogue = createSigner(generateSigningKey('v2_k1', fixedBytes('rogue')));
    const h = honestHistory().handOff('ch1', 'v2', 'v1', rogue);
    const report = await auditHistory(h.appends, { brokerKeys });
    expectNamed(report, 'R2.BAD_HANDOFF_SIGNATURE', lastIndex(h.appends), 'chain-ch1');
    expect(rules(report)).toEqual(['R2.BAD_HANDOFF_SIGNATURE']);
  });

  it('R2.BAD_HANDOFF_SIGNATURE: a certificate under a key its broker certificate does not vouch for, not applied', async () => {
    const stranger = createSigner(generateSigningKey('v9_k1', fixedBytes('v9')));
    const h = honestHistory().handOff('ch1', 'v2', 'v1', stranger).spend('ch1', 'v1', 1);
    const report = await auditHistory(h.appends, { brokerKeys });
    expectNamed(report, 'R2.BAD_HANDOFF_SIGNATURE', lastIndex(h.appends) - 1, 'chain-ch1');
    // As no fold believes it, v2 still holds ch1: v1's spend after it is by a non-holder.
    expectNamed(report, 'R2.SPEND_BY_NON_HOLDER', lastIndex(h.appends), 'chain-ch1');
  });

  it('R2.UNKNOWN_VENDOR_KEY: a certificate under a key the broker certified but nobody registered', async () => {
    const stranger = createSigner(generateSigningKey('v9_k1', fixedBytes('v9')));
    const h = honestHistory().handOff('ch1', 'v2', 'v1', stranger, stranger);
    const report = await auditHistory(h.appends, { brokerKeys });
    expectNamed(report, 'R2.UNKNOWN_VENDOR_KEY', lastIndex(h.appends), 'chain-ch1');
  });

  it('R2.HANDOFF_BY_NON_HOLDER and R2.HANDOFF_MISMATCH', async () => {
    const h = honestHistory().handOff('ch1', 'v1', 'v2'); // v2 holds ch1
    const notHolder = await auditHistory(h.appends, { brokerKeys });
    expectNamed(notHolder, 'R2.HANDOFF_BY_NON_HOLDER', lastIndex(h.appends), 'chain-ch1');

    const i = indexOf(h.appends, 'IndexHandedOff', 0);
    const stale = withData(h.appends, i, (d) => ({
      ...d,
      certificate: { ...(d.certificate as Record<string, unknown>), index: 3 },
    }));
    // Changed after the vendor signed it: not believed, not applied.
    const tampered = await auditHistory(stale, { brokerKeys });
    expectNamed(tampered, 'R2.BAD_HANDOFF_SIGNATURE', i, 'chain-ch1');
    // Signed so by the holder, at an index that is not the chain's: not applied either.
    const resigned = withData(h.appends, i, (d) => {
      const { signature: _old, ...body } = d.certificate as HandOffCertificate;
      return {
        ...d,
        certificate: signHandOffCertificate({ ...body, index: 3 }, h.vendorSigner(body.fromVendor)),
      };
    });
    const mismatch = await auditHistory(resigned, { brokerKeys });
    expectNamed(mismatch, 'R2.HANDOFF_MISMATCH', i, 'chain-ch1');
  });

  it('R2.BAD_CLAIM_SIGNATURE: a claim its claimant did not sign is not applied', async () => {
    const h = honestHistory().claim('ch1', 'v2', 'v1').spend('ch1', 'v1', 1); // v2 held ch1
    expect((await auditHistory(h.appends, { brokerKeys })).violations).toEqual([]);
    const claim = lastIndex(h.appends) - 1;
    const v2 = { signer: h.vendorSigner('v2'), certificate: h.vendorCertificate('v2') };
    for (const forged of [
      h.appends.map((a, n) => (n === claim ? { ...a, unsigned: true } : a)),
      h.appends.map((a, n) => (n === claim ? { ...a, claimant: v2 } : a)), // signed by another vendor
    ]) {
      const report = await auditHistory(forged, { brokerKeys });
      expectNamed(report, 'R2.BAD_CLAIM_SIGNATURE', claim, 'chain-ch1');
      // As no fold believes it, v2 still holds ch1: v1's spend after it is by a non-holder.
      expectNamed(report, 'R2.SPEND_BY_NON_HOLDER', claim + 1, 'chain-ch1');
    }
  });

  it('R2.CLAIM_NOT_FROM_HOLDER: a claim naming a vendor that does not hold the chain', async () => {
    const h = honestHistory().claim('ch1', 'v1', 'v2');
    const report = await auditHistory(h.appends, { brokerKeys });
    expectNamed(report, 'R2.CLAIM_NOT_FROM_HOLDER', lastIndex(h.appends), 'chain-ch1');
    expect(rules(report)).toEqual(['R2.CLAIM_NOT_FROM_HOLDER']);
  });

  it('R0.MALFORMED_EVENT: bad data is a violation, not a crash', async () => {
    const h = honestHistory();
    const bad = [
      ...h.appends,
      rawAppend('chain-ch1', 'CoinsSpent', { chainId: 'ch1', fromIndex: 10, toIndex: 'x' }),
    ];
    const report = await auditHistory(bad, { brokerKeys });
    expectNamed(report, 'R0.MALFORMED_EVENT', lastIndex(bad), 'chain-ch1');
    expect(report.violations[0]?.detail).toMatch(/toIndex/);
    expect(rules(report)).toEqual(['R0.MALFORMED_EVENT']);
  });

  it('R0.EVENT_IN_WRONG_STREAM: a spend appended to another chain’s stream', async () => {
    const h = honestHistory();
    const spent = h.appends[indexOf(h.appends, 'CoinsSpent', 0, 'chain-ch1')];
    if (spent === undefined) throw new Error('no spend');
    const moved = [...h.appends, { ...spent, stream: 'chain-ch2' }];
    const report = await auditHistory(moved, { brokerKeys });
    expectNamed(report, 'R0.EVENT_IN_WRONG_STREAM', lastIndex(moved), 'chain-ch2');
  });

  it('an unknown event type is a warning only', async () => {
    const h = honestHistory();
    const newer = [...h.appends, rawAppend('chain-ch1', 'CoinsFrozen', { chainId: 'ch1' })];
    const report = await auditHistory(newer, { brokerKeys });
    expect(report.ok).toBe(true);
    expect(report.warnings).toEqual([
      expect.objectContaining({
        code: 'W.UNKNOWN_EVENT_TYPE',
        position: BigInt(newer.length),
        stream: 'chain-ch1',
      }),
    ]);
  });
});
