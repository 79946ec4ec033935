import { describe, expect, it } from '@jest/globals';
import { auditHistory } from '../../test/audit-history.js';
import { indexOf, withData } from '../../test/history.js';
import { honestHistory } from '../../test/scenarios.js';

const brokerKeys = honestHistory().brokerKeys;

describe('Audit from a position (--from)', () => {
  it('checks only what follows, against the history primed before it', async () => {
    const h = honestHistory();
    const from = BigInt(indexOf(h.appends, 'IndexHandedOff', 0) + 1);
    const report = await auditHistory(h.appends, { brokerKeys, from });
    expect(report.violations).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.complete).toBe(false);
    expect(report.replay.events).toBe(h.appends.length - Number(from));
    expect(report.replay.firstPosition).toBe(from + 1n);
    expect(report.warnings.map((w) => w.code)).toEqual(['W.PARTIAL_AUDIT']);
  });

  it('finds a forged payword after the position (the chain state comes from before it)', async () => {
    const h = honestHistory();
    const from = BigInt(indexOf(h.appends, 'IndexHandedOff', 0) + 1);
    const i = indexOf(h.appends, 'CoinsSpent', 2, 'chain-ch1'); // v2 spends 6..9, after `from`
    const forged = withData(h.appends, i, (d) => ({ ...d, payword: h.chain('ch1').payword(8) }));
    const report = await auditHistory(forged, { brokerKeys, from });
    expect(report.violations).toContainEqual(
      expect.objectContaining({
        code: 'R1.PAYWORD_DOES_NOT_HASH',
        position: BigInt(i + 1),
        stream: 'chain-ch1',
      }),
    );
  });

  it('does not report what lies before the position', async () => {
    const h = honestHistory();
    const i = indexOf(h.appends, 'CoinsSpent', 0, 'chain-ch1');
    const forged = withData(h.appends, i, (d) => ({ ...d, payword: h.chain('ch1').payword(2) }));
    const whole = await auditHistory(forged, { brokerKeys });
    expect(whole.violationsByRule['R1.PAYWORD_DOES_NOT_HASH']).toBe(1);
    const later = await auditHistory(forged, { brokerKeys, from: BigInt(i + 1) });
    expect(later.violationsByRule['R1.PAYWORD_DOES_NOT_HASH']).toBeUndefined();
  });
});
