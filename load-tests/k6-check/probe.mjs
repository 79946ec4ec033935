// Loads a k6 script in Node, without k6, and prints what k6 would read from it, as JSON:
//   node --import ./load-tests/k6-check/register.mjs load-tests/k6-check/probe.mjs load-tests/smoke.js
// { exports: { name: type }, options, summary? } — `summary` is what handleSummary returns for
// the end-of-test data in the file K6_CHECK_SUMMARY_DATA, when set. __ENV comes from K6_CHECK_ENV.
// test/load-k6-scripts.spec.ts checks every scenario script this way.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const script = process.argv[2];
if (!script) {
  console.error(
    'usage: node --import ./load-tests/k6-check/register.mjs load-tests/k6-check/probe.mjs <script.js>',
  );
  process.exit(2);
}
const mod = await import(pathToFileURL(resolve(script)).href);
const out = {
  exports: Object.fromEntries(Object.entries(mod).map(([name, value]) => [name, typeof value])),
  options: mod.options,
};
if (process.env.K6_CHECK_SUMMARY_DATA && typeof mod.handleSummary === 'function') {
  out.summary = mod.handleSummary(JSON.parse(readFileSync(process.env.K6_CHECK_SUMMARY_DATA, 'utf8')));
}
process.stdout.write(JSON.stringify(out));
