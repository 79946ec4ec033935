// soak: a moderate mixed load — client-side spends at RATE, server-side debits at RATE/3, one
// purchase a second — held for DURATION (default 10m; set DURATION=2h for a real soak). Looks
// for what only time shows: memory growth, slower catch-ups as streams grow, Redis key growth.
import { scenario } from './lib/options.js';

export { clientSpend, warmUp, serverDebit, issue } from './lib/flows.js';

const run = scenario('soak');
export const options = run.options;
export const handleSummary = run.handleSummary;
