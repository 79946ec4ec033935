// The load scenarios: their knobs, defaults and k6 executors. Plain ES module with no k6
// import, so that both k6 (the scripts) and Node (scripts/load.mjs, which sizes the seeded
// data from the same numbers) read one definition.
//
// Every executor is open-model (arrival rate): requests arrive at the set rate whether or not
// the stack keeps up; when it does not, k6 reports `dropped_iterations` instead of slowing down.

/** The dearest item of the demo vendors, in coins: data is sized for it. */
export const MAX_PRICE = 5;
/** Seeded coins per VU = expected iterations per VU × MAX_PRICE × MARGIN (VUs do not share data). */
export const MARGIN = 1.5;

/** The knobs every scenario understands (env of `npm run load`, or `-e` of `k6 run`). */
export const COMMON = {
  HOP: 'share of spends at another vendor than the chain’s holder (a hand-off)',
  REPLAY: 'share of accepted spends whose payword is replayed at another vendor (must be refused)',
  VUS: 'VUs per spending executor (each owns its own chains)',
  CHAIN_COINS: 'coins per seeded client-side chain',
  WARMUP:
    'time before the measured phase in which every VU spends once on each of its chains (0s: none); not measured',
  PURCHASE_COINS: 'coins per purchase in issuance',
};

const s = (seconds) => `${Math.max(1, Math.round(seconds))}s`;

function arrival(rate, duration, vus, exec, env = {}) {
  return {
    executor: 'constant-arrival-rate',
    rate: Math.max(1, Math.round(rate)),
    timeUnit: '1s',
    duration,
    preAllocatedVUs: vus,
    maxVUs: vus,
    exec,
    env,
  };
}

function ramping(startRate, stages, vus, exec, env = {}) {
  return {
    executor: 'ramping-arrival-rate',
    startRate: Math.max(0, Math.round(startRate)),
    timeUnit: '1s',
    stages: stages.map(([duration, target]) => ({ duration, target: Math.max(0, Math.round(target)) })),
    preAllocatedVUs: vus,
    maxVUs: vus,
    exec,
    env,
  };
}

/** name → { script, description, defaults, endpoints, scenarios(settings) }. */
export const PLANS = {
  smoke: {
    script: 'smoke.js',
    description:
      '~10 s at a low rate touching every endpoint: spends, hand-offs, debits, issuance, replays (CI)',
    defaults: { RATE: 5, DURATION: '10s', VUS: 4, HOP: 0.3, REPLAY: 0.1, WARMUP: '2s' },
    endpoints: ['spend', 'spend-handoff', 'replay', 'debit', 'debit-handoff', 'register', 'purchase'],
    scenarios: (o) => ({
      spends: arrival(o.RATE, o.DURATION, o.VUS, 'clientSpend', { HOP: String(o.HOP) }),
      debits: arrival(Math.max(1, o.RATE / 5), o.DURATION, 2, 'serverDebit', { HOP: String(o.HOP) }),
      issuance: arrival(1, o.DURATION, 2, 'issue'),
    }),
  },
  issuance: {
    script: 'issuance.js',
    description:
      'bursts of registrations and purchases (client- and server-side chains) over a calm base rate',
    defaults: { RATE: 30, BASE_RATE: 2, BURSTS: 3, BURST: '20s', CALM: '20s', VUS: 40, PURCHASE_COINS: 100 },
    endpoints: ['register', 'purchase'],
    scenarios: (o) => {
      const stages = [];
      for (let b = 0; b < o.BURSTS; b++) {
        stages.push(['5s', o.RATE], [o.BURST, o.RATE], ['5s', o.BASE_RATE], [o.CALM, o.BASE_RATE]);
      }
      return { issuance: ramping(o.BASE_RATE, stages, o.VUS, 'issue') };
    },
  },
  'steady-spend': {
    script: 'steady-spend.js',
    description: 'client-side spends at one vendor (VENDOR) at a constant rate: the hot path, no hand-offs',
    defaults: { RATE: 100, DURATION: '3m', VUS: 40, VENDOR: 'newspaper', HOP: 0, REPLAY: 0.02 },
    endpoints: ['spend', 'replay'],
    scenarios: (o) => ({
      steady: arrival(o.RATE, o.DURATION, o.VUS, 'clientSpend', { HOP: '0', VENDOR: o.VENDOR }),
    }),
  },
  noop: {
    script: 'noop.js',
    description:
      'an unpaid GET /noop/:id at one vendor (VENDOR) at a constant rate: the HTTP stack without payment work',
    defaults: { RATE: 50, DURATION: '1m', VUS: 30, VENDOR: 'newspaper' },
    endpoints: ['noop'],
    scenarios: (o) => ({ noop: arrival(o.RATE, o.DURATION, o.VUS, 'noop') }),
  },
  hopping: {
    script: 'hopping.js',
    description: 'client-side spends moving between the three vendors (HOP share): hand-offs under load',
    defaults: { RATE: 50, DURATION: '3m', VUS: 40, HOP: 0.5, REPLAY: 0.02 },
    endpoints: ['spend', 'spend-handoff', 'replay'],
    scenarios: (o) => ({
      hopping: arrival(o.RATE, o.DURATION, o.VUS, 'clientSpend', { HOP: String(o.HOP) }),
    }),
  },
  'mixed-day': {
    script: 'mixed-day.js',
    description:
      'a compressed day: morning ramp, lunch peak, evening; client spends, debits, issuance, wallet views',
    defaults: { RATE: 40, VUS: 30, HOP: 0.25, REPLAY: 0.02, PURCHASE_COINS: 100 },
    endpoints: [
      'spend',
      'spend-handoff',
      'replay',
      'debit',
      'debit-handoff',
      'register',
      'purchase',
      'wallet',
    ],
    scenarios: (o) => {
      const day = (r) => [
        ['30s', 0.5 * r],
        ['60s', 0.5 * r],
        ['20s', r],
        ['40s', r],
        ['20s', 0.6 * r],
        ['50s', 0.6 * r],
      ];
      const hop = { HOP: String(o.HOP) };
      return {
        clientSpends: ramping(0.1 * o.RATE, day(o.RATE), o.VUS, 'clientSpend', hop),
        serverDebits: ramping(0.03 * o.RATE, day(0.3 * o.RATE), Math.ceil(o.VUS / 2), 'serverDebit', hop),
        issuance: arrival(Math.max(1, 0.05 * o.RATE), '220s', 10, 'issue'),
        walletViews: arrival(Math.max(1, 0.05 * o.RATE), '220s', 5, 'walletView'),
      };
    },
  },
  spike: {
    script: 'spike.js',
    description: 'client-side spends at BASE_RATE, a sudden spike to RATE for SPIKE, then back: recovery',
    defaults: { RATE: 150, BASE_RATE: 20, SPIKE: '30s', VUS: 100, HOP: 0.25, REPLAY: 0.02 },
    endpoints: ['spend', 'spend-handoff', 'replay'],
    scenarios: (o) => ({
      spike: ramping(
        o.BASE_RATE,
        [
          ['30s', o.BASE_RATE],
          ['5s', o.RATE],
          [o.SPIKE, o.RATE],
          ['5s', o.BASE_RATE],
          ['45s', o.BASE_RATE],
        ],
        o.VUS,
        'clientSpend',
        { HOP: String(o.HOP) },
      ),
    }),
  },
  soak: {
    script: 'soak.js',
    description: 'a moderate mixed rate held for long (DURATION, default 10m): leaks, growth, drift',
    defaults: { RATE: 30, DURATION: '10m', VUS: 20, HOP: 0.1, REPLAY: 0.01, PURCHASE_COINS: 100 },
    endpoints: ['spend', 'spend-handoff', 'replay', 'debit', 'debit-handoff', 'register', 'purchase'],
    scenarios: (o) => ({
      clientSpends: arrival(o.RATE, o.DURATION, o.VUS, 'clientSpend', { HOP: String(o.HOP) }),
      serverDebits: arrival(o.RATE / 3, o.DURATION, Math.ceil(o.VUS / 2), 'serverDebit', {
        HOP: String(o.HOP),
      }),
      issuance: arrival(1, o.DURATION, 4, 'issue'),
    }),
  },
};

/** The scenario's settings: its defaults, overridden by `env` (numbers stay numbers). */
export function settings(name, env) {
  const plan = PLANS[name];
  if (!plan) throw new Error(`unknown load scenario "${name}" (try --list)`);
  const out = {
    WARMUP: '10s',
    ...plan.defaults,
    CHAIN_COINS: 500,
    PURCHASE_COINS: plan.defaults.PURCHASE_COINS ?? 100,
  };
  for (const key of Object.keys(out).concat(Object.keys(COMMON), ['RATE', 'DURATION', 'REPLAY'])) {
    const raw = env[key];
    if (raw === undefined || raw === '') continue;
    out[key] = typeof out[key] === 'string' || Number.isNaN(Number(raw)) ? raw : Number(raw);
  }
  out.REPLAY = out.REPLAY ?? 0.02;
  out.HOP = out.HOP ?? 0;
  return out;
}

/** Seconds of a k6 duration like `90s`, `3m`, `1m30s`, `1h`. */
export function seconds(duration) {
  const units = { ms: 0.001, s: 1, m: 60, h: 3600 };
  let total = 0;
  for (const [, n, unit] of String(duration).matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g))
    total += Number(n) * units[unit];
  return total;
}

/** Iterations an arrival-rate executor is asked to start (the integral of its rate). */
export function expectedIterations(executor) {
  if (executor.executor === 'constant-arrival-rate') return executor.rate * seconds(executor.duration);
  let rate = executor.startRate;
  let total = 0;
  for (const stage of executor.stages) {
    total += ((rate + stage.target) / 2) * seconds(stage.duration);
    rate = stage.target;
  }
  return total;
}

/** Seconds the scenario runs (its longest executor). */
export function totalSeconds(scenarios) {
  const length = (e) =>
    e.executor === 'constant-arrival-rate'
      ? seconds(e.duration)
      : e.executor === 'per-vu-iterations'
        ? seconds(e.maxDuration)
        : e.stages.reduce((t, st) => t + seconds(st.duration), 0);
  return Math.max(...Object.values(scenarios).map((e) => seconds(e.startTime ?? '0s') + length(e)));
}

/** Seconds of the measured phase: after the warm-up, if any. */
export function measuredSeconds(scenarios) {
  const warm = scenarios[WARM_UP];
  return totalSeconds(scenarios) - (warm ? seconds(warm.maxDuration) : 0);
}

/** The warm-up executor's name in a plan's scenarios. */
export const WARM_UP = 'warmUp';

/**
 * A plan's k6 scenarios as run: when it spends client-side and WARMUP is not zero, a warm-up
 * first — every VU of the test (so whichever executor later picks a VU, its chains are warm) runs
 * `warmUp` once — and the measured executors start after it.
 */
export function planScenarios(name, o) {
  const measured = PLANS[name].scenarios(o);
  const warm = seconds(o.WARMUP ?? '0s');
  const spends = Object.values(measured).some((e) => CLIENT_EXECS.has(e.exec));
  if (!spends || warm <= 0) return measured;
  const vus = Object.values(measured).reduce((n, e) => n + e.maxVUs, 0);
  const out = {
    [WARM_UP]: {
      executor: 'per-vu-iterations',
      vus,
      iterations: 1,
      maxDuration: s(warm),
      // Without this k6 reserves 30 s more for the warm-up and, seeing it overlap the measured
      // executors, starts a second set of VUs for them: VUs without data, and cold chains.
      gracefulStop: '0s',
      exec: 'warmUp',
      env: {},
    },
  };
  for (const [key, executor] of Object.entries(measured)) out[key] = { ...executor, startTime: s(warm) };
  return out;
}

const CLIENT_EXECS = new Set(['clientSpend']);
const SERVER_EXECS = new Set(['serverDebit']);

/**
 * What the seeder must prepare: one bundle per VU of the whole test (k6 numbers VUs across
 * all executors), each with enough coins for the busiest executor's share per VU.
 */
export function dataNeeds(scenarios, o) {
  let vus = 0;
  let clientCoins = 0;
  let serverCoins = 0;
  for (const executor of Object.values(scenarios)) {
    // The warm-up's VUs are the test's own VUs again; its coins are counted below.
    if (executor.exec === 'warmUp') continue;
    vus += executor.maxVUs;
    const measured = Math.ceil((expectedIterations(executor) / executor.maxVUs) * MAX_PRICE * MARGIN);
    // + the warm-up's first spend of each chain
    const warm = scenarios[WARM_UP] ? MAX_PRICE * (Math.ceil(measured / o.CHAIN_COINS) + 1) : 0;
    const perVu = measured + warm + MAX_PRICE * 4;
    if (CLIENT_EXECS.has(executor.exec)) clientCoins = Math.max(clientCoins, perVu);
    if (SERVER_EXECS.has(executor.exec)) serverCoins = Math.max(serverCoins, perVu);
  }
  return { vus, clientCoins, serverCoins, chainCoins: Math.min(o.CHAIN_COINS, Math.max(clientCoins, 1)) };
}
