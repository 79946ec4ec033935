import { describe, expect, it } from '@jest/globals';
import { MetricsService } from './metrics.service.js';

describe('MetricsService', () => {
  it('renders counters with escaped labels in Prometheus text format', () => {
    const metrics = new MetricsService();
    const spends = metrics.counter('netpay_spends_total', 'Spends accepted.', ['vendor', 'outcome']);
    spends.inc({ vendor: 'v1', outcome: 'accepted' });
    spends.inc({ vendor: 'v1', outcome: 'accepted' }, 2);
    spends.inc({ vendor: 'say "hi"\\', outcome: 'refused' });
    const text = metrics.render();
    expect(text).toContain(
      '# HELP netpay_spends_total Spends accepted.\n# TYPE netpay_spends_total counter\n',
    );
    expect(text).toContain('netpay_spends_total{vendor="v1",outcome="accepted"} 3\n');
    expect(text).toContain('netpay_spends_total{vendor="say \\"hi\\"\\\\",outcome="refused"} 1\n');
  });

  it('renders histograms as cumulative buckets with sum and count', () => {
    const metrics = new MetricsService();
    const h = metrics.histogram('handoff_seconds', 'Hand-off latency.', ['peer'], [0.1, 1]);
    for (const v of [0.05, 0.5, 3]) h.observe(v, { peer: 'v2' });
    const lines = metrics.render().split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        '# TYPE handoff_seconds histogram',
        'handoff_seconds_bucket{peer="v2",le="0.1"} 1',
        'handoff_seconds_bucket{peer="v2",le="1"} 2',
        'handoff_seconds_bucket{peer="v2",le="+Inf"} 3',
        'handoff_seconds_sum{peer="v2"} 3.55',
        'handoff_seconds_count{peer="v2"} 3',
      ]),
    );
  });

  it('returns the same metric for the same name and refuses a clash', () => {
    const metrics = new MetricsService();
    const a = metrics.counter('x_total', 'x', ['a']);
    expect(metrics.counter('x_total', 'x again', ['a'])).toBe(a);
    expect(() => metrics.gauge('x_total', 'x', ['a'])).toThrow(/already registered as a counter/);
    expect(() => metrics.counter('x_total', 'x', ['b'])).toThrow(/already registered/);
  });

  it('refuses bad names, unknown labels and counting down', () => {
    const metrics = new MetricsService();
    expect(() => metrics.counter('bad-name', 'x')).toThrow(/not a Prometheus name/);
    expect(() => metrics.histogram('h', 'x', ['le'])).toThrow(/not allowed/);
    const c = metrics.counter('c_total', 'c', ['route']);
    expect(() => c.inc({ chain: 'c1' })).toThrow(/no label "chain"/);
    expect(() => c.inc({}, -1)).toThrow(/cannot go down/);
  });

  it('collects process gauges at scrape time', () => {
    const text = new MetricsService().render();
    expect(text).toMatch(/^process_resident_memory_bytes [1-9]\d*$/m);
  });
});
