// mixed-day: a compressed business day (about 4 minutes): a morning ramp, a lunch peak at RATE,
// a calmer evening. Client-side spends (HOP share moving between vendors), server-side debits at
// 30 % of that, and all day long a trickle of registrations, purchases and wallet views.
import { scenario } from './lib/options.js';

export { clientSpend, warmUp, serverDebit, issue, walletView } from './lib/flows.js';

const run = scenario('mixed-day');
export const options = run.options;
export const handleSummary = run.handleSummary;
