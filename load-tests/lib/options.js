// k6 options of a scenario, from its plan (lib/plans.js) and the thresholds.
import { measuredSeconds, PLANS, planScenarios, settings, totalSeconds, WARM_UP } from './plans.js';
import { summaryHandler } from './summary.js';
import { thresholdsFor } from './thresholds.js';

/**
 * The system tags k6 puts on every sample. Fewer than k6's default set (no `url`, `proto`,
 * `tls_version`, `group`, `check`, …): tags are built for every sample, and on this project's
 * 2-core machine k6 shares the cores with the stack it measures (~7 % less k6 CPU per request,
 * measured). Requests are told apart by our own `endpoint` tag and `name`.
 */
export const SYSTEM_TAGS = ['status', 'method', 'name', 'scenario', 'expected_response', 'error_code'];

/** { settings, options, handleSummary } of the named scenario, with __ENV applied. */
export function scenario(name) {
  const plan = PLANS[name];
  const o = settings(name, __ENV);
  // Every setting reaches the flows through __ENV, defaults included; an executor's own env wins.
  const env = Object.fromEntries(Object.entries(o).map(([k, v]) => [k, String(v)]));
  const scenarios = planScenarios(name, o);
  for (const executor of Object.values(scenarios)) executor.env = { ...env, ...executor.env };
  return {
    settings: o,
    options: {
      scenarios,
      // The warm-up's requests are held to an error rate too (and show in the summary), apart from `spend`.
      thresholds: thresholdsFor(scenarios[WARM_UP] ? ['warm-up', ...plan.endpoints] : plan.endpoints, __ENV, {
        spends: name !== 'issuance',
      }),
      summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'count'],
      // The text summary comes from handleSummary; the JSON file keeps the full metrics.
      userAgent: 'netpay-load/k6',
      systemTags: SYSTEM_TAGS,
    },
    // The summary's rates are per second of the measured phase (the warm-up is not measured).
    handleSummary: summaryHandler(name, o, totalSeconds(scenarios) - measuredSeconds(scenarios)),
  };
}
