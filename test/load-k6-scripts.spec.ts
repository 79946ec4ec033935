import { beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

// The k6 scripts of load-tests/ stay for users who have k6, but NetPay never installs k6
// (AGPL-3.0). So this test loads each script in Node without k6: `k6` and `k6/*` imports resolve
// to stubs (load-tests/k6-check), and the probe prints the script's exports, its options and
// what its handleSummary writes.

interface Executor {
  readonly executor: string;
  readonly exec: string;
  readonly env?: Record<string, string>;
  readonly [key: string]: unknown;
}
type Settings = Record<string, string | number>;
interface Plan {
  readonly script: string;
  readonly endpoints: readonly string[];
}
interface Plans {
  readonly PLANS: Record<string, Plan>;
  settings(name: string, env: Record<string, string>): Settings;
  planScenarios(name: string, o: Settings): Record<string, Executor>;
}
interface Probe {
  readonly exports: Record<string, string>;
  readonly options: {
    readonly scenarios: Record<string, Executor>;
    readonly thresholds: Record<string, string[]>;
  };
  readonly summary?: Record<string, string>;
}

const root = process.cwd();
const plans = (await import(pathToFileURL(join(root, 'load-tests/lib/plans.js')).href)) as Plans;

const dir = mkdtempSync(join(tmpdir(), 'netpay-k6-check-'));
const files = {
  DATA_FILE: join(dir, 'data.json'),
  META_FILE: join(dir, 'meta.json'),
  SUMMARY_FILE: join(dir, 'summary.json'),
};

beforeAll(() => {
  const chain = { chainId: 'ch_1', touchstone: 't', length: 4, paywords: ['a', 'b', 'c', 'd'] };
  writeFileSync(files.DATA_FILE, JSON.stringify([{ vu: 1, bankAccount: 'acct', clientChains: [chain] }]));
  writeFileSync(
    files.META_FILE,
    JSON.stringify({
      runId: 'r1',
      brokerUrl: 'http://127.0.0.1:1',
      vus: 1,
      currency: 'NZD',
      coinValue: 1,
      shops: [{ id: 'newspaper', url: 'http://127.0.0.1:2', path: '/articles', items: ['a1'], price: 2 }],
    }),
  );
  // The end-of-test data k6 hands to handleSummary, as far as lib/summary.js reads it.
  const trend = { count: 40, avg: 2, med: 1.5, max: 9, 'p(90)': 3, 'p(95)': 4, 'p(99)': 6 };
  writeFileSync(
    join(dir, 'end-of-test.json'),
    JSON.stringify({
      state: { testRunDurationMs: 12_000 },
      root_group: { checks: [{ name: 'spend: content served', passes: 40, fails: 0 }], groups: [] },
      metrics: {
        spends_accepted: { values: { count: 40 } },
        hand_offs: { values: { count: 3 } },
        double_spends_accepted: {
          values: { count: 0 },
          thresholds: { 'count==0': { ok: true } },
        },
        'http_req_duration{endpoint:spend}': { values: trend, thresholds: { 'p(95)<250': { ok: true } } },
        'http_req_failed{endpoint:spend}': { values: { rate: 0 } },
      },
    }),
  );
});

// One load per script (a Node process each), with knobs set so that their effect shows.
const ENV = { RATE: '7', VUS: '3', P95_SPEND: '123', MAX_ERROR_RATE: '0.05' };
const probes = new Map<string, Probe>();
function probed(script: string): Probe {
  if (!probes.has(script)) probes.set(script, probe(script, ENV));
  return probes.get(script)!;
}

function probe(script: string, env: Record<string, string>): Probe {
  const r = spawnSync(
    process.execPath,
    [
      '--import',
      './load-tests/k6-check/register.mjs',
      'load-tests/k6-check/probe.mjs',
      `load-tests/${script}`,
    ],
    {
      cwd: root,
      encoding: 'utf8',
      env: {
        ...process.env,
        K6_CHECK_ENV: JSON.stringify({ ...files, ...env }),
        K6_CHECK_SUMMARY_DATA: join(dir, 'end-of-test.json'),
      },
    },
  );
  if (r.status !== 0) throw new Error(`${script} did not load without k6:\n${r.stderr}`);
  return JSON.parse(r.stdout) as Probe;
}

/** An executor as the plan builds it, without the env every script adds (checked apart). */
const shape = ({ env: _env, ...rest }: Executor): Omit<Executor, 'env'> => rest;

describe('the k6 scripts of load-tests/, loaded without k6', () => {
  const names = Object.keys(plans.PLANS);

  it('has one script per scenario, and every script is a scenario', () => {
    const scripts = readdirSync(join(root, 'load-tests')).filter((f) => f.endsWith('.js'));
    expect(scripts.sort()).toEqual(names.map((n) => plans.PLANS[n]!.script).sort());
  });

  it.each(names)(
    '%s: builds the scenario plan as its options, each executor running an exported function',
    (name) => {
      const plan = plans.PLANS[name]!;
      const { exports, options } = probed(plan.script);
      const planned = plans.planScenarios(name, plans.settings(name, ENV));
      expect(Object.keys(options.scenarios)).toEqual(Object.keys(planned));
      for (const [key, executor] of Object.entries(options.scenarios)) {
        expect(shape(executor)).toEqual(shape(planned[key]!));
        expect(exports[executor.exec]).toBe('function');
        // every setting reaches the flows through the executor's env, the env given included
        expect(executor.env).toMatchObject({ RATE: '7', VUS: '3' });
      }
      expect(Object.keys(options.scenarios).length).toBeGreaterThan(0);
    },
  );

  it.each(names)('%s: has a threshold on the latency and error rate of each of its endpoints', (name) => {
    const plan = plans.PLANS[name]!;
    const { thresholds } = probed(plan.script).options;
    for (const endpoint of plan.endpoints) {
      const duration = thresholds[`http_req_duration{endpoint:${endpoint}}`];
      expect(duration).toHaveLength(2);
      expect(duration![0]).toMatch(/^p\(95\)<\d+$/);
      expect(duration![1]).toMatch(/^p\(99\)<\d+$/);
      expect(thresholds[`http_req_failed{endpoint:${endpoint}}`]).toEqual(['rate<0.05']);
    }
    if (plan.endpoints.includes('spend')) {
      expect(thresholds['http_req_duration{endpoint:spend}']![0]).toBe('p(95)<123');
      // the one that matters most: a replayed payword must never be accepted
      expect(thresholds.double_spends_accepted).toEqual(['count==0']);
      expect(thresholds.data_exhausted).toEqual(['count==0']);
    }
    expect(thresholds.checks).toEqual(['rate>=0.95']);
  });

  it.each(names)('%s: its handleSummary prints the table and writes the JSON summary', (name) => {
    const { summary } = probed(plans.PLANS[name]!.script);
    expect(summary?.stdout).toContain(`NetPay load — ${name} —`);
    const json = JSON.parse(summary![files.SUMMARY_FILE]!) as {
      scenario: string;
      spends: { accepted: number; handOffs: number };
      doubleSpendsAccepted: number;
      endpoints: Record<string, { requests: number; p99Ms: number }>;
    };
    expect(json.scenario).toBe(name);
    expect(json.spends).toMatchObject({ accepted: 40, handOffs: 3 });
    expect(json.doubleSpendsAccepted).toBe(0);
    expect(json.endpoints.spend).toMatchObject({ requests: 40, p99Ms: 6 });
  });
});
