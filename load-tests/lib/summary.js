// End-of-test summary: a JSON file (SUMMARY_FILE, default .stack/load/<scenario>-summary.json)
// that tools and the CI test read, and a readable table on stdout.

const ENDPOINT_ORDER = [
  'warm-up',
  'spend',
  'spend-handoff',
  'debit',
  'debit-handoff',
  'replay',
  'register',
  'purchase',
  'wallet',
];

const value = (metric, stat) => (metric && metric.values ? metric.values[stat] : undefined);
const round = (n, digits = 1) => (typeof n === 'number' ? Number(n.toFixed(digits)) : null);

function endpointsOf(metrics) {
  const found = {};
  for (const name of Object.keys(metrics)) {
    const m = /^http_req_duration\{endpoint:(.+)\}$/.exec(name);
    if (!m) continue;
    const duration = metrics[name];
    const failed = metrics[`http_req_failed{endpoint:${m[1]}}`];
    found[m[1]] = {
      requests: value(duration, 'count') || 0,
      failedRate: round(value(failed, 'rate'), 4),
      avgMs: round(value(duration, 'avg')),
      p50Ms: round(value(duration, 'med')),
      p95Ms: round(value(duration, 'p(95)')),
      p99Ms: round(value(duration, 'p(99)')),
      maxMs: round(value(duration, 'max')),
    };
  }
  return found;
}

function thresholdsOf(metrics) {
  const out = [];
  for (const [metric, m] of Object.entries(metrics)) {
    for (const [threshold, t] of Object.entries(m.thresholds || {}))
      out.push({ metric, threshold, ok: t.ok });
  }
  return out;
}

function checksOf(group, out = []) {
  for (const c of group.checks || []) out.push({ name: c.name, passes: c.passes, fails: c.fails });
  for (const g of group.groups || []) checksOf(g, out);
  return out;
}

/** The compact figures of a run; the full k6 data rides along under `k6`. */
export function netpaySummary(scenario, settings, data, warmUpSeconds = 0) {
  const metrics = data.metrics;
  // Rates are per second of the measured phase: the run less its warm-up.
  const seconds = data.state.testRunDurationMs / 1000 - warmUpSeconds;
  const count = (name) => value(metrics[name], 'count') || 0;
  const thresholds = thresholdsOf(metrics);
  const accepted = count('spends_accepted');
  return {
    scenario,
    settings,
    ok: thresholds.every((t) => t.ok),
    durationSeconds: round(seconds),
    warmUp: { seconds: warmUpSeconds, spends: count('warm_up_spends') },
    spends: {
      accepted,
      perSecond: round(accepted / seconds, 2),
      handOffs: count('hand_offs'),
      coins: count('coins_spent'),
    },
    doubleSpendsAccepted: count('double_spends_accepted'),
    replaysRefused: count('replays_refused'),
    purchases: count('purchases_completed'),
    refusals: count('refusals'),
    dataExhausted: count('data_exhausted'),
    iterations: count('iterations'),
    droppedIterations: count('dropped_iterations'),
    httpRequests: count('http_reqs'),
    checks: checksOf(data.root_group),
    endpoints: endpointsOf(metrics),
    thresholds,
  };
}

const pad = (s, n) => String(s).padEnd(n);
const lpad = (s, n) => String(s).padStart(n);
const fmt = (n) => (n === null || n === undefined ? '-' : n.toFixed(1));

export function textSummary(s) {
  const lines = [];
  lines.push('');
  lines.push(
    `NetPay load — ${s.scenario} — ${s.durationSeconds} s measured — ${s.ok ? 'PASSED' : 'FAILED (thresholds crossed)'}`,
  );
  if (s.warmUp.seconds > 0) {
    lines.push(
      `  after a ${s.warmUp.seconds} s warm-up: ${s.warmUp.spends} first spends of the VUs' chains, not measured`,
    );
  }
  lines.push(
    `  spends accepted ${s.spends.accepted} (${s.spends.perSecond}/s), hand-offs ${s.spends.handOffs}, ` +
      `coins ${s.spends.coins}, purchases ${s.purchases}`,
  );
  lines.push(
    `  double spends accepted ${s.doubleSpendsAccepted}, replays refused ${s.replaysRefused}, ` +
      `other refusals ${s.refusals}, dropped iterations ${s.droppedIterations}, data exhausted ${s.dataExhausted}`,
  );
  lines.push('');
  lines.push(
    `  ${pad('endpoint', 15)}${lpad('requests', 9)}${lpad('failed', 9)}${lpad('p50 ms', 9)}${lpad('p95 ms', 9)}${lpad('p99 ms', 9)}${lpad('max ms', 9)}`,
  );
  const names = Object.keys(s.endpoints).sort(
    (a, b) => ENDPOINT_ORDER.indexOf(a) - ENDPOINT_ORDER.indexOf(b),
  );
  for (const name of names) {
    const e = s.endpoints[name];
    if (!e.requests) continue;
    const failed = e.failedRate === null ? '-' : `${(e.failedRate * 100).toFixed(2)}%`;
    lines.push(
      `  ${pad(name, 15)}${lpad(e.requests, 9)}${lpad(failed, 9)}${lpad(fmt(e.p50Ms), 9)}${lpad(fmt(e.p95Ms), 9)}${lpad(fmt(e.p99Ms), 9)}${lpad(fmt(e.maxMs), 9)}`,
    );
  }
  const failedChecks = s.checks.filter((c) => c.fails > 0);
  if (failedChecks.length) {
    lines.push('');
    lines.push('  failed checks:');
    for (const c of failedChecks) lines.push(`    ✗ ${c.name}: ${c.fails} of ${c.passes + c.fails}`);
  }
  const crossed = s.thresholds.filter((t) => !t.ok);
  lines.push('');
  lines.push(
    crossed.length
      ? `  thresholds crossed:\n${crossed.map((t) => `    ✗ ${t.metric} ${t.threshold}`).join('\n')}`
      : `  all ${s.thresholds.length} thresholds held`,
  );
  lines.push('');
  return lines.join('\n');
}

/** handleSummary for a scenario script. */
export function summaryHandler(scenario, settings, warmUpSeconds = 0) {
  return (data) => {
    const summary = netpaySummary(scenario, settings, data, warmUpSeconds);
    const file = __ENV.SUMMARY_FILE || `.stack/load/${scenario}-summary.json`;
    return {
      stdout: textSummary(summary),
      [file]: JSON.stringify({ ...summary, k6: { metrics: data.metrics, state: data.state } }, null, 2),
    };
  };
}
