// Custom metrics. `double_spends_accepted` is the one that must stay at zero: it counts
// deliberately replayed paywords that a vendor accepted.
import { Counter } from 'k6/metrics';

/** A replayed payword (already accepted elsewhere) that a vendor accepted again. Threshold: count==0. */
export const doubleSpendsAccepted = new Counter('double_spends_accepted');
/** Replays refused with SPEND.PAYWORD_REPLAYED, as they must be. */
export const replaysRefused = new Counter('replays_refused');
/** Spends (client-side) and debits (server-side) a vendor accepted with a receipt. */
export const spendsAccepted = new Counter('spends_accepted');
/** Accepted spends at a vendor other than the chain's holder: each needed a hand-off. */
export const handOffs = new Counter('hand_offs');
/** Coins those accepted spends moved. */
export const coinsSpent = new Counter('coins_spent');
/** Completed purchases (issuance). */
export const purchases = new Counter('purchases_completed');
/** Iterations skipped because this VU ran out of seeded coins: the data was sized too small. */
export const dataExhausted = new Counter('data_exhausted');
/** Refusals and failures by code (tag `code`), for the summary. */
export const refusals = new Counter('refusals');
/** Spends of the warm-up phase (each chain's first, before the measured phase): not in `spends_accepted`. */
export const warmUpSpends = new Counter('warm_up_spends');
