// Finds a k6 the user installed: K6_BIN, else `k6` on PATH. Prints its path on stdout, or how to
// install k6 on stderr (exit 1).
//
// NetPay never downloads or builds k6: k6 is under the AGPL-3.0, which this project takes into
// neither its build nor its tools. The k6 scripts of load-tests/ are for users who have k6; the
// project's own load runs (CI's smoke run, perf-sweep) use vegeta (MIT, load-tests/open/).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const K6_HOW_TO_INSTALL =
  'k6 was not found: set K6_BIN to its path, or put `k6` on PATH.\n' +
  '  NetPay does not download or build k6 (it is AGPL-3.0 licensed); install it yourself from the\n' +
  "  k6 project's own releases or packages (see the installation page of k6's documentation),\n" +
  '  then re-run. Without k6, `npm run load -- <scenario> --vegeta` runs the same seeded payments\n' +
  '  through vegeta (MIT), which the project installs on demand with Go.';

function which(binary) {
  const r = spawnSync('sh', ['-c', `command -v ${binary}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** The k6 to run, or undefined (after saying how to install it) when there is none. */
export function findK6({ log = console.error, env = process.env } = {}) {
  if (env.K6_BIN) {
    if (existsSync(env.K6_BIN)) return env.K6_BIN;
    log(`K6_BIN=${env.K6_BIN} does not exist.\n${K6_HOW_TO_INSTALL}`);
    return undefined;
  }
  const onPath = which('k6');
  if (onPath) return onPath;
  log(K6_HOW_TO_INSTALL);
  return undefined;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const k6 = findK6();
  if (!k6) process.exit(1);
  console.log(k6);
}
