// noop: an unpaid GET /noop/:id at one vendor (VENDOR, default newspaper) at a constant arrival
// rate RATE for DURATION. The same Nest/Fastify stack as the paid routes — router, global pipe,
// exception filter, HTTP metrics, a route parameter, a small JSON body — and no payment work:
// run beside steady-spend (same machine state, same RATE and VUS), the ratio of the two shows
// what verifying, recording and signing a spend costs.
//
// Through `npm run load -- noop` (the vendor's URL comes from the seeded META_FILE), or on its
// own: `k6 run -e VENDOR_URL=http://127.0.0.1:3101 -e RATE=2000 load-tests/noop.js`.
import { check } from 'k6';
import http from 'k6/http';
import { SYSTEM_TAGS } from './lib/options.js';
import { PLANS, settings } from './lib/plans.js';
import { summaryHandler } from './lib/summary.js';
import { thresholdsFor } from './lib/thresholds.js';

const o = settings('noop', __ENV);

function vendorUrl() {
  if (__ENV.VENDOR_URL) return __ENV.VENDOR_URL.replace(/\/$/, '');
  if (!__ENV.META_FILE) throw new Error('set VENDOR_URL, or run through `npm run load -- noop`');
  const shops = JSON.parse(open(__ENV.META_FILE)).shops;
  const shop = shops.find((s) => s.id === o.VENDOR);
  if (!shop) throw new Error(`no vendor "${o.VENDOR}" in the seeded shops`);
  return shop.url;
}

const base = vendorUrl();
const env = Object.fromEntries(Object.entries(o).map(([k, v]) => [k, String(v)]));
const scenarios = PLANS.noop.scenarios(o);
for (const executor of Object.values(scenarios)) executor.env = { ...env, ...executor.env };

// The spend thresholds (double spends, seeded data, spends > 0) do not apply: only the endpoint's.
const { checks, ...limits } = thresholdsFor(PLANS.noop.endpoints, __ENV, { spends: false });
delete limits.purchases_completed;
delete limits.double_spends_accepted;
delete limits.data_exhausted;

export const options = {
  scenarios,
  thresholds: { checks, ...limits },
  summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'count'],
  userAgent: 'netpay-load/k6',
  systemTags: SYSTEM_TAGS,
};

let n = 0;
export function noop() {
  const id = `n${n++ % 100}`;
  const res = http.get(`${base}/noop/${id}`, { tags: { endpoint: 'noop', name: 'GET /noop/:id' } });
  check(
    res,
    {
      'noop: status 200': (r) => r.status === 200,
      'noop: echoes the id': (r) => {
        try {
          return r.json('id') === id;
        } catch {
          return false;
        }
      },
    },
    { endpoint: 'noop' },
  );
}

export const handleSummary = summaryHandler('noop', o);
