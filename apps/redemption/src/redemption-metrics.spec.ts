import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { nightFixture, type NightFixture } from '../test/night-fixture.js';
import { honestDay } from '../test/scenarios.js';

const sample = (text: string, series: string): number | undefined => {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

describe('redemption metrics on /metrics: projection lag, unsealed spends, night outcome', () => {
  let f: NightFixture;

  beforeEach(async () => {
    f = await nightFixture();
    await f.vendors('va', 'vb', 'vc');
  });
  afterEach(() => f.dispose());

  it('shows the closed day unsealed until the night seals it, and the night as ok', async () => {
    await honestDay(f.world);
    await f.worker.projection.waitUntilCaughtUp();
    const before = await f.metrics.render();
    expect(sample(before, 'netpay_projection_caught_up{projection="redemption"}')).toBe(1);
    expect(sample(before, 'netpay_projection_behind_seconds{projection="redemption"}')).toBe(0);
    expect(sample(before, 'netpay_redemption_unsealed_vendor_days')).toBe(3);
    // Every outcome's series is there before the first night, at 0 (dashboards and alerts read them).
    expect(sample(before, 'netpay_redemption_nights_total{outcome="ok"}')).toBe(0);
    expect(sample(before, 'netpay_redemption_nights_total{outcome="failed"}')).toBe(0);

    const report = await f.worker.night.run('2026-03-10');
    expect(report.failures).toEqual([]);
    await f.worker.projection.waitUntilCaughtUp();
    const after = await f.metrics.render();
    expect(sample(after, 'netpay_redemption_unsealed_vendor_days')).toBe(0);
    expect(sample(after, 'netpay_redemption_nights_total{outcome="ok"}')).toBe(1);
    expect(sample(after, 'netpay_redemption_night_duration_seconds_count')).toBe(1);
    expect(sample(after, 'netpay_redemption_last_night_failed_batches')).toBe(0);
  });

  it('counts a night that throws as failed', async () => {
    await honestDay(f.world);
    f.worker.sealer.sealUpTo = () => Promise.reject(new Error('the store is away'));
    await expect(f.worker.night.run('2026-03-10')).rejects.toThrow('the store is away');
    expect(sample(await f.metrics.render(), 'netpay_redemption_nights_total{outcome="failed"}')).toBe(1);
  });
});
