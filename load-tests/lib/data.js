// The seeded test data (scripts/load.mjs runs the seeder before k6): one bundle per VU in
// DATA_FILE, loaded once into a SharedArray; the shops and run id in META_FILE.
import { SharedArray } from 'k6/data';
import exec from 'k6/execution';

const dataFile = __ENV.DATA_FILE;
const metaFile = __ENV.META_FILE;
if (!dataFile || !metaFile) {
  throw new Error(
    'DATA_FILE and META_FILE are not set: run through `npm run load -- <scenario>`, which seeds them',
  );
}

// Parsed once for all VUs; each element is one VU's bundle.
const bundles = new SharedArray('netpay-vu-bundles', () => JSON.parse(open(dataFile)));

/** { runId, brokerUrl, vus, currency, coinValue, shops: [{ id, url, path, items, price }] } */
export const meta = JSON.parse(open(metaFile));

/** The vendors, each with the `name` tag of its paid route (built once, not per request). */
export const shops = meta.shops.map((shop) => ({ ...shop, routeName: `${shop.id} ${shop.path}/:item` }));
export const brokerUrl = meta.brokerUrl;

let mine;

/**
 * This VU's own bundle, copied out of the SharedArray once (an element access parses it).
 * VU n owns bundle n: no other VU ever spends its chains. Undefined when the test has more
 * VUs than bundles were seeded.
 */
export function myBundle() {
  if (mine === undefined) {
    const index = exec.vu.idInTest - 1;
    mine = index < bundles.length ? bundles[index] : null;
  }
  return mine || undefined;
}

export function shopById(id) {
  const shop = shops.find((s) => s.id === id);
  if (!shop) throw new Error(`no vendor "${id}" in the seeded shops (${shops.map((s) => s.id).join(', ')})`);
  return shop;
}
