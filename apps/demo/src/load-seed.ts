import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { discoverShop, inParallel, seedVu, type LoadShop, type SeedPlan } from './load-seed-data.js';

const USAGE = `node dist/apps/demo/src/load-seed.js --broker URL --vendor URL [--vendor URL …] --vus N
    [--client-coins N] [--chain-coins N] [--server-coins N] [--run-id ID] [--out DIR] [--concurrency N]
  Prepares the test data of a load test (scripts/load.mjs runs it before k6): per VU a bank account,
  a client-side customer whose chains are bought through the broker's HTTP API (every payword
  derived from the seed), and optionally a server-side wallet with a checkout token per vendor.
  Writes DIR/data.json (one bundle per VU, for k6's SharedArray) and DIR/meta.json (shops, run id).
  The admin token comes from the ADMIN_TOKEN environment variable.
  --client-coins   client-side coins per VU                 default 200
  --chain-coins    coins per client-side chain              default 200
  --server-coins   server-side coins per VU (0: no wallet)  default 0`;

/** What k6 reads besides the bundles: where the vendors are and how big the run is. */
export interface LoadMeta {
  readonly runId: string;
  readonly brokerUrl: string;
  readonly createdAt: string;
  readonly vus: number;
  readonly currency: string;
  readonly coinValue: number;
  readonly shops: readonly LoadShop[];
}

function count(raw: string | undefined, name: string, min: number): number {
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min)
    throw new Error(`--${name} must be an integer ≥ ${min}, got ${raw}`);
  return n;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      broker: { type: 'string' },
      vendor: { type: 'string', multiple: true, default: [] },
      vus: { type: 'string' },
      'client-coins': { type: 'string', default: '200' },
      'chain-coins': { type: 'string', default: '200' },
      'server-coins': { type: 'string', default: '0' },
      'run-id': { type: 'string' },
      out: { type: 'string', default: '.stack/load/data' },
      concurrency: { type: 'string', default: '8' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const adminToken = process.env.ADMIN_TOKEN;
  if (values.help || !values.broker || values.vendor.length === 0 || !adminToken) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  const vus = count(values.vus, 'vus', 1);
  const started = Date.now();
  const shops = await Promise.all(values.vendor.map((url) => discoverShop(url.replace(/\/$/, ''))));
  const first = shops[0]!;
  const runId = values['run-id'] ?? randomBytes(4).toString('hex');
  const plan: SeedPlan = {
    runId,
    brokerUrl: values.broker.replace(/\/$/, ''),
    adminToken,
    shops: shops.map(({ id, url, path, items, price }) => ({ id, url, path, items, price })),
    currency: first.currency,
    coinValue: first.coinValue,
    clientCoins: count(values['client-coins'], 'client-coins', 0),
    chainCoins: count(values['chain-coins'], 'chain-coins', 1),
    serverCoins: count(values['server-coins'], 'server-coins', 0),
  };
  const bundles = await inParallel(vus, count(values.concurrency, 'concurrency', 1), (vu) =>
    seedVu(plan, vu),
  );
  mkdirSync(values.out, { recursive: true });
  const meta: LoadMeta = {
    runId,
    brokerUrl: plan.brokerUrl,
    createdAt: new Date().toISOString(),
    vus,
    currency: plan.currency,
    coinValue: plan.coinValue,
    shops: plan.shops,
  };
  writeFileSync(join(values.out, 'meta.json'), JSON.stringify(meta, null, 2));
  writeFileSync(join(values.out, 'data.json'), JSON.stringify(bundles));
  const chains = bundles.reduce((n, b) => n + b.clientChains.length, 0);
  const wallets = bundles.filter((b) => b.serverWallet).length;
  console.log(
    `seed: ${vus} VU bundles, ${chains} client-side chains (${plan.clientCoins} coins per VU), ` +
      `${wallets} server-side wallets (${plan.serverCoins} coins each) in ${((Date.now() - started) / 1000).toFixed(1)} s → ${values.out}`,
  );
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`seed failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
