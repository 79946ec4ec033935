import { describe, expect, it } from '@jest/globals';
import { MetricsService } from './metrics.service.js';

const quiet = () => new MetricsService({ defaultMetrics: false });

describe('MetricsService (prom-client)', () => {
  it('renders counters with escaped labels in Prometheus text format', async () => {
    const metrics = quiet();
    const spends = metrics.counter('netpay_spends_total', 'Spends accepted.', ['vendor', 'outcome']);
    spends.inc({ vendor: 'v1', outcome: 'accepted' });
    spends.inc({ vendor: 'v1', outcome: 'accepted' }, 2);
    spends.inc({ vendor: 'say "hi"\\', outcome: 'refused' });
    const text = await metrics.render();
    expect(text).toContain(
      '# HELP netpay_spends_total Spends accepted.\n# TYPE netpay_spends_total counter\n',
    );
    expect(text).toContain('netpay_spends_total{vendor="v1",outcome="accepted"} 3\n');
    expect(text).toContain('netpay_spends_total{vendor="say \\"hi\\"\\\\",outcome="refused"} 1\n');
    expect(spends.get({ vendor: 'v1', outcome: 'accepted' })).toBe(3);
  });

  it('renders histograms as cumulative buckets with sum and count', async () => {
    const metrics = quiet();
    const h = metrics.histogram('handoff_seconds', 'Hand-off latency.', ['peer'], [0.1, 1]);
    for (const v of [0.05, 0.5, 3]) h.observe(v, { peer: 'v2' });
    const lines = (await metrics.render()).split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        '# TYPE handoff_seconds histogram',
        'handoff_seconds_bucket{le="0.1",peer="v2"} 1',
        'handoff_seconds_bucket{le="1",peer="v2"} 2',
        'handoff_seconds_bucket{le="+Inf",peer="v2"} 3',
        'handoff_seconds_sum{peer="v2"} 3.55',
        'handoff_seconds_count{peer="v2"} 3',
      ]),
    );
  });

  it('returns the same metric for the same name and refuses a clash', () => {
    const metrics = quiet();
    const a = metrics.counter('x_total', 'x', ['a']);
    expect(metrics.counter('x_total', 'x again', ['a'])).toBe(a);
    expect(() => metrics.gauge('x_total', 'x', ['a'])).toThrow(/already registered as a counter/);
    expect(() => metrics.counter('x_total', 'x', ['b'])).toThrow(/already registered/);
  });

  it('refuses bad names, unknown labels and counting down', () => {
    const metrics = quiet();
    expect(() => metrics.counter('bad-name', 'x')).toThrow(/not a Prometheus name/);
    expect(() => metrics.histogram('h', 'x', ['le'])).toThrow(/not allowed/);
    const c = metrics.counter('c_total', 'c', ['route']);
    expect(() => c.inc({ chain: 'c1' })).toThrow(/no label "chain"/);
    expect(() => c.inc({}, -1)).toThrow(/cannot go down/);
  });

  it('refreshes gauges through collect at scrape time', async () => {
    const metrics = quiet();
    let n = 0;
    metrics.gauge('netpay_test_scrapes', 'Scrapes seen.').collect = (g) => g.set(++n);
    await metrics.render();
    expect(await metrics.render()).toMatch(/^netpay_test_scrapes 2$/m);
  });

  it('serves the process and Node metrics: CPU, memory, heap, event-loop lag, GC', async () => {
    const text = await new MetricsService().render();
    for (const name of [
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_heap_size_used_bytes',
      'nodejs_eventloop_lag_seconds',
      'nodejs_eventloop_lag_p99_seconds',
      'nodejs_gc_duration_seconds',
      'nodejs_active_handles_total',
    ])
      expect(text).toContain(`# TYPE ${name} `);
  });
});
