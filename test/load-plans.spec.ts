import { describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

// load-tests/lib/plans.js is plain JS read by k6 and by scripts/load.mjs; typed here for the test.
interface Executor {
  readonly executor: string;
  readonly exec: string;
  readonly maxVUs?: number;
  readonly vus?: number;
  readonly iterations?: number;
  readonly maxDuration?: string;
  readonly gracefulStop?: string;
  readonly startTime?: string;
  readonly rate?: number;
  readonly duration?: string;
}
type Scenarios = Record<string, Executor>;
type Settings = Record<string, string | number>;
interface Plans {
  readonly PLANS: Record<string, { readonly scenarios: (o: Settings) => Scenarios }>;
  readonly MAX_PRICE: number;
  readonly WARM_UP: string;
  settings(name: string, env: Record<string, string>): Settings;
  planScenarios(name: string, o: Settings): Scenarios;
  dataNeeds(
    scenarios: Scenarios,
    o: Settings,
  ): { vus: number; clientCoins: number; serverCoins: number; chainCoins: number };
  totalSeconds(scenarios: Scenarios): number;
  measuredSeconds(scenarios: Scenarios): number;
  seconds(duration: string): number;
}

const plans = (await import(pathToFileURL(join(process.cwd(), 'load-tests/lib/plans.js')).href)) as Plans;

describe('load plans: the warm-up before the measured phase', () => {
  const o = plans.settings('steady-spend', { RATE: '2000', DURATION: '30s', VUS: '120', WARMUP: '8s' });
  const scenarios = plans.planScenarios('steady-spend', o);

  it('runs every VU of the test once, then starts the measured executors when it ends', () => {
    const warm = scenarios[plans.WARM_UP]!;
    expect(warm).toMatchObject({ executor: 'per-vu-iterations', exec: 'warmUp', iterations: 1, vus: 120 });
    expect(warm.maxDuration).toBe('8s');
    // k6 would otherwise keep the warm-up's VUs 30 s longer and start other VUs (without data) for the measured phase.
    expect(warm.gracefulStop).toBe('0s');
    const measured = Object.entries(scenarios).filter(([name]) => name !== plans.WARM_UP);
    expect(measured.length).toBeGreaterThan(0);
    for (const [, executor] of measured) expect(executor.startTime).toBe('8s');
    expect(plans.totalSeconds(scenarios)).toBe(38);
    expect(plans.measuredSeconds(scenarios)).toBe(30);
  });

  it('seeds one bundle per VU (not two) with coins for the warm-up as well as the measured spends', () => {
    const withWarmUp = plans.dataNeeds(scenarios, o);
    const without = plans.dataNeeds(plans.planScenarios('steady-spend', { ...o, WARMUP: '0s' }), o);
    expect(withWarmUp.vus).toBe(120);
    expect(without.vus).toBe(120);
    const chains = Math.ceil(withWarmUp.clientCoins / withWarmUp.chainCoins);
    // every chain's first spend is the warm-up's, on top of what the measured phase needs
    expect(withWarmUp.clientCoins - without.clientCoins).toBeGreaterThanOrEqual(
      plans.MAX_PRICE * chains - plans.MAX_PRICE,
    );
  });

  it('is left out with WARMUP=0s, and by scenarios that do not spend client-side', () => {
    const cold = plans.planScenarios('steady-spend', plans.settings('steady-spend', { WARMUP: '0s' }));
    expect(cold[plans.WARM_UP]).toBeUndefined();
    expect(Object.values(cold).every((e) => e.startTime === undefined)).toBe(true);
    const issuance = plans.planScenarios('issuance', plans.settings('issuance', {}));
    expect(issuance[plans.WARM_UP]).toBeUndefined();
    const noop = plans.planScenarios('noop', plans.settings('noop', {}));
    expect(noop[plans.WARM_UP]).toBeUndefined();
  });

  it('warms up every scenario that spends client-side by default', () => {
    for (const name of ['steady-spend', 'hopping', 'mixed-day', 'spike', 'soak', 'smoke']) {
      const planned = plans.planScenarios(name, plans.settings(name, {}));
      expect(planned[plans.WARM_UP]?.exec).toBe('warmUp');
    }
  });
});
