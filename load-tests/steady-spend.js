// steady-spend: client-side spends at one vendor (VENDOR, default newspaper) at a constant
// arrival rate RATE for DURATION — the vendor's hot path: verify by hashing, append CoinsSpent,
// sign a receipt. No hand-offs, except after the REPLAY share of deliberate double spends.
import { scenario } from './lib/options.js';

export { clientSpend, warmUp } from './lib/flows.js';

const run = scenario('steady-spend');
export const options = run.options;
export const handleSummary = run.handleSummary;
