// Module hooks of the k6 check: `k6` and `k6/*` imports resolve to the stubs beside this file,
// so that a k6 script can be loaded by Node without k6. A k6 module without a stub fails the
// load, naming it: a script that starts using one needs a stub here too.
const STUBS = new Set(['k6', 'k6/http', 'k6/metrics', 'k6/data', 'k6/execution', 'k6/crypto', 'k6/encoding']);

export async function resolve(specifier, context, next) {
  if (specifier === 'k6' || specifier.startsWith('k6/')) {
    if (!STUBS.has(specifier))
      throw new Error(`k6 check: no stub for "${specifier}" (load-tests/k6-check/stubs)`);
    return {
      url: new URL(`./stubs/${specifier.replace('/', '-')}.mjs`, import.meta.url).href,
      shortCircuit: true,
    };
  }
  return next(specifier, context);
}
