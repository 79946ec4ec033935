// hopping: client-side spends where a HOP share of visits go to another vendor than the one
// holding the chain, so that vendor first takes the chain over (hand-off over NATS: the holder
// signs a certificate for (I, W[I-1])). Latency of those spends is tagged `spend-handoff`.
import { scenario } from './lib/options.js';

export { clientSpend, warmUp } from './lib/flows.js';

const run = scenario('hopping');
export const options = run.options;
export const handleSummary = run.handleSummary;
