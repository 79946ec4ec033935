// Thresholds that fail the run (k6 exits non-zero): zero double spends, the seeded data was
// enough, and per endpoint an error rate and p95/p99 latency ceilings.
//
// Ceilings are for this project's 2-core dev/CI machine running k6 and the whole stack at once;
// override per endpoint with P95_<ENDPOINT>=ms / P99_<ENDPOINT>=ms (e.g. P95_SPEND_HANDOFF=400),
// the error rate with MAX_ERROR_RATE (default 0.01).

/** endpoint → [p95 ms, p99 ms] */
export const LATENCY_LIMITS = {
  // every chain's first look at once, before the measured phase: only runaway latency fails it
  'warm-up': [5000, 10000],
  spend: [250, 600],
  'spend-handoff': [500, 1200],
  debit: [300, 800],
  'debit-handoff': [800, 2000],
  replay: [500, 1200],
  register: [400, 1000],
  purchase: [800, 2000],
  wallet: [400, 1000],
};

function limit(env, kind, endpoint, fallback) {
  const raw = env[`${kind}_${endpoint.toUpperCase().replace(/-/g, '_')}`];
  return raw !== undefined && raw !== '' ? Number(raw) : fallback;
}

export function thresholdsFor(endpoints, env, { spends = true } = {}) {
  const maxErrorRate = Number(env.MAX_ERROR_RATE || 0.01);
  const thresholds = {
    // The one that matters most: a replayed payword must never be accepted.
    double_spends_accepted: ['count==0'],
    // An iteration without coins left measured nothing: the run would look better than it is.
    data_exhausted: ['count==0'],
    checks: [`rate>=${1 - maxErrorRate}`],
  };
  if (spends) thresholds.spends_accepted = ['count>0'];
  else thresholds.purchases_completed = ['count>0'];
  for (const endpoint of endpoints) {
    const [p95, p99] = LATENCY_LIMITS[endpoint] || [1000, 2000];
    thresholds[`http_req_duration{endpoint:${endpoint}}`] = [
      `p(95)<${limit(env, 'P95', endpoint, p95)}`,
      `p(99)<${limit(env, 'P99', endpoint, p99)}`,
    ];
    thresholds[`http_req_failed{endpoint:${endpoint}}`] = [`rate<${maxErrorRate}`];
  }
  return thresholds;
}
