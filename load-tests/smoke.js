// smoke: ~10 s at a low rate that touches every path once in a while — client-side spends,
// hand-offs between vendors, server-side debits, registrations and purchases, and replayed
// paywords that must be refused. Run in CI by test/load-smoke.e2e-spec.ts.
import { scenario } from './lib/options.js';

export { clientSpend, warmUp, serverDebit, issue } from './lib/flows.js';

const run = scenario('smoke');
export const options = run.options;
export const handleSummary = run.handleSummary;
