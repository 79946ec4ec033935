// k6 options of a scenario, from its plan (lib/plans.js) and the thresholds.
import { PLANS, settings } from './plans.js';
import { summaryHandler } from './summary.js';
import { thresholdsFor } from './thresholds.js';

/** { settings, options, handleSummary } of the named scenario, with __ENV applied. */
export function scenario(name) {
  const plan = PLANS[name];
  const o = settings(name, __ENV);
  // Every setting reaches the flows through __ENV, defaults included; an executor's own env wins.
  const env = Object.fromEntries(Object.entries(o).map(([k, v]) => [k, String(v)]));
  const scenarios = plan.scenarios(o);
  for (const executor of Object.values(scenarios)) executor.env = { ...env, ...executor.env };
  return {
    settings: o,
    options: {
      scenarios,
      thresholds: thresholdsFor(plan.endpoints, __ENV, { spends: name !== 'issuance' }),
      summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'count'],
      // The text summary comes from handleSummary; the JSON file keeps the full metrics.
      userAgent: 'netpay-load/k6',
    },
    handleSummary: summaryHandler(name, o),
  };
}
