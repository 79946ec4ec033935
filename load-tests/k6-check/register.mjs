// `node --import ./load-tests/k6-check/register.mjs …`: the k6 stubs for imports, and the
// globals of k6's init context — __ENV (from the K6_CHECK_ENV variable, JSON), open(), __VU.
import { readFileSync } from 'node:fs';
import { register } from 'node:module';

register('./hooks.mjs', import.meta.url);
globalThis.__ENV = JSON.parse(process.env.K6_CHECK_ENV ?? '{}');
globalThis.__VU = 0;
globalThis.__ITER = 0;
globalThis.open = (path) => readFileSync(path, 'utf8');
