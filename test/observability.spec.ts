import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { load } from 'js-yaml';
import { InMemoryEventStore } from '#event-store';
import { MetricsService } from '#platform';
import { startBroker, type TestBroker } from '../apps/broker/src/test/broker-harness.js';
import { nightFixture, type NightFixture } from '../apps/redemption/test/night-fixture.js';
import { vendorObserver } from '../apps/vendor/src/netpay/vendor-metrics.js';

const DIR = join(process.cwd(), 'deploy', 'observability');

interface Dashboard {
  uid: string;
  title: string;
  panels: { title: string; targets: { expr: string }[] }[];
}
interface RuleFile {
  groups: { name: string; rules: { alert: string; expr: string; for?: string }[] }[];
}

const PROMQL_WORDS = new Set([
  'sum',
  'min',
  'max',
  'avg',
  'count',
  'rate',
  'irate',
  'increase',
  'absent',
  'delta',
  'histogram_quantile',
  'by',
  'without',
  'and',
  'or',
  'unless',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'time',
  'abs',
  'clamp_min',
  'clamp_max',
  'topk',
  'bottomk',
  'offset',
  'bool',
  'vector',
  'scalar',
]);

/** The metric names a PromQL expression reads (label names, strings, ranges and functions left out). */
export function metricsIn(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, ' ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  return [...new Set(bare.match(/[a-zA-Z_:][a-zA-Z0-9_:]*/g) ?? [])].filter((w) => !PROMQL_WORDS.has(w));
}

function dashboards(): Dashboard[] {
  const dir = join(DIR, 'dashboards');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Dashboard);
}

function rules(): RuleFile {
  return load(readFileSync(join(DIR, 'alerts.yml'), 'utf8')) as RuleFile;
}

/** Label names a PromQL expression groups, joins or selects by (`le`, `job` and `instance` left out). */
export function labelsIn(expr: string): string[] {
  const bare = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  const grouped = [...bare.matchAll(/\b(?:by|without|on|ignoring)\s*\(([^)]*)\)/g)].flatMap((m) =>
    m[1]!.split(','),
  );
  const selected = [...bare.matchAll(/\{([^}]*)\}/g)].flatMap((m) =>
    [...m[1]!.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)/g)].map((l) => l[1]!),
  );
  const scrape = new Set(['le', 'job', 'instance']);
  return [...new Set([...grouped, ...selected].map((l) => l.trim()).filter((l) => l && !scrape.has(l)))];
}

/** Label names of each series name the apps expose (a histogram's series share its labels). */
function labelsOf(metrics: MetricsService, into: Map<string, Set<string>>): void {
  for (const metric of metrics.registry.getMetricsAsArray()) {
    const { name, labelNames = [] } = metric as unknown as { name: string; labelNames?: string[] };
    for (const series of [name, `${name}_bucket`, `${name}_sum`, `${name}_count`]) {
      const known = into.get(series) ?? new Set<string>();
      for (const l of labelNames) known.add(l);
      into.set(series, known);
    }
  }
}

/** Series names the apps expose: each family, and a histogram's _bucket, _sum and _count. */
async function seriesOf(metrics: MetricsService): Promise<string[]> {
  return (await metrics.registry.getMetricsAsJSON()).flatMap((m) =>
    String(m.type) === 'histogram' ? [`${m.name}_bucket`, `${m.name}_sum`, `${m.name}_count`] : [m.name],
  );
}

describe('deploy/observability: dashboards and alert rules name only metrics the apps register', () => {
  let broker: TestBroker;
  let night: NightFixture;
  const exposed = new Set<string>();
  const labels = new Map<string, Set<string>>();

  beforeAll(async () => {
    // The broker app (platform: HTTP, Node, dependency health; wallet projection; broker counters),
    // the redemption worker (projection lag, nights, items) and the vendor's metrics.
    broker = await startBroker({ store: new InMemoryEventStore() });
    night = await nightFixture();
    const vendor = new MetricsService({ defaultMetrics: false });
    vendorObserver('v1', new Logger('test'), vendor);
    const brokerMetrics = broker.app.get(MetricsService);
    for (const m of [brokerMetrics, night.metrics, vendor]) {
      for (const s of await seriesOf(m)) exposed.add(s);
      labelsOf(m, labels);
    }
  });
  afterAll(async () => {
    await broker.close();
    await night.dispose();
  });

  it('finds the metric names in an expression', () => {
    expect(
      metricsIn(
        'histogram_quantile(0.99, sum by (le, route) (rate(http_request_duration_seconds_bucket{status=~"5.."}[5m])))',
      ),
    ).toEqual(['http_request_duration_seconds_bucket']);
    expect(metricsIn('time() - max(a_total) > 26 * 3600 and on (job) b_up == 0')).toEqual([
      'a_total',
      'b_up',
    ]);
  });

  it('has the dashboards operators look for', () => {
    const titles = dashboards().flatMap((d) => d.panels.map((p) => p.title.toLowerCase()));
    for (const wanted of [
      'spends per second',
      'refusals by code',
      'hand-off latency',
      'projection lag',
      'night outcome',
      'dependency health',
    ])
      expect(titles.some((t) => t.startsWith(wanted))).toBe(true);
  });

  it('has the alerts operators need', () => {
    const alerts = rules().groups.flatMap((g) => g.rules.map((r) => r.alert));
    expect(alerts).toEqual(
      expect.arrayContaining([
        'NetPayProjectionBehind',
        'NetPayUnsealedSpendsPastCutOff',
        'NetPayNatsAway',
        'NetPayRedisAway',
        'NetPayRefusalSpike',
        'NetPayNightFailed',
      ]),
    );
  });

  // A gauge that has no sample until an event happens cannot alert on that event never happening:
  // `time() - max(g) > …` over no sample is no alert. Each such rule needs an `absent` partner.
  it('alerts when no night has ended since the worker started, not only since the last one', () => {
    const all = rules().groups.flatMap((g) => g.rules);
    const sinceStart = all.find((r) =>
      /^absent\(\s*netpay_redemption_last_night_timestamp_seconds\s*\)$/.test(r.expr),
    );
    expect(sinceStart?.for).toBe('26h');
  });

  it('every dashboard query and alert rule reads metrics that exist', () => {
    const used = [
      ...dashboards().flatMap((d) =>
        d.panels.flatMap((p) => p.targets.map((t) => [`${d.uid}/${p.title}`, t.expr])),
      ),
      ...rules().groups.flatMap((g) => g.rules.map((r) => [`alert ${r.alert}`, r.expr])),
    ];
    expect(used.length).toBeGreaterThan(30);
    const missing = used.flatMap(([where, expr]) =>
      metricsIn(expr!)
        .filter((m) => !exposed.has(m))
        .map((m) => `${where}: ${m}`),
    );
    expect(missing).toEqual([]);
  });

  // A label the metrics do not have groups everything into one series (a dashboard's
  // `sum by (code)` over a counter labelled `outcome` drew one unlabelled line) or selects nothing.
  it('every dashboard query and alert rule groups and selects by labels its metrics have', () => {
    expect(
      labelsIn('sum by (vendor, code) (rate(x_total{status=~"5..", le="1"}[5m])) and on (job) y'),
    ).toEqual(['vendor', 'code', 'status']);
    const used = [
      ...dashboards().flatMap((d) =>
        d.panels.flatMap((p) => p.targets.map((t) => [`${d.uid}/${p.title}`, t.expr] as const)),
      ),
      ...rules().groups.flatMap((g) => g.rules.map((r) => [`alert ${r.alert}`, r.expr] as const)),
    ];
    const unknown = used.flatMap(([where, expr]) => {
      const known = new Set(metricsIn(expr).flatMap((m) => [...(labels.get(m) ?? [])]));
      return labelsIn(expr)
        .filter((l) => !known.has(l))
        .map((l) => `${where}: ${l}`);
    });
    expect(unknown).toEqual([]);
  });

  it('checks dependency alerts against health checks the apps register', () => {
    const alerted = [...readFileSync(join(DIR, 'alerts.yml'), 'utf8').matchAll(/check=~?"([^"]+)"/g)].flatMap(
      (m) => m[1]!.split('|'),
    );
    const registered = new Set<string>();
    for (const root of ['apps', 'libs'])
      for (const file of readdirSync(root, { recursive: true, encoding: 'utf8' })) {
        if (!file.endsWith('.ts') || file.includes('spec')) continue;
        const text = readFileSync(join(root, file), 'utf8');
        for (const m of text.matchAll(/health\??\.register\(\s*'([^']+)'/g)) registered.add(m[1]!);
      }
    expect(alerted.length).toBeGreaterThanOrEqual(3);
    expect(alerted.filter((c) => !registered.has(c))).toEqual([]);
  });
});
