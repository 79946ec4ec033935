// spike: client-side spends at BASE_RATE, then within 5 s at RATE for SPIKE, then back to the
// base for 45 s. Watch p99 and dropped_iterations during the spike, and whether latency comes
// back down afterwards (the JSON summary keeps the whole run; use k6's --out for a time series).
import { scenario } from './lib/options.js';

export { clientSpend, warmUp } from './lib/flows.js';

const run = scenario('spike');
export const options = run.options;
export const handleSummary = run.handleSummary;
