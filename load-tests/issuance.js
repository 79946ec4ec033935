// issuance: bursts of registrations and purchases over a calm base rate (ramping arrival rate):
// RATE per second for BURST, BASE_RATE for CALM, BURSTS times. 80 % of the purchases are
// client-side chains (the broker hashes PURCHASE_COINS words and signs a touchstone), 20 %
// server-side (the seed is sealed in the store as well).
import { scenario } from './lib/options.js';

export { issue } from './lib/flows.js';

const run = scenario('issuance');
export const options = run.options;
export const handleSummary = run.handleSummary;
