// Finds k6, or builds a pinned one with `go install` when k6 is not on PATH and Go is.
// Prints the path of the binary on stdout; explains what to install otherwise.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const K6_VERSION = 'v1.8.1';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const binDir = join(process.env.NETPAY_STACK_DIR ?? join(root, '.stack'), 'bin');

function which(binary) {
  const r = spawnSync('sh', ['-c', `command -v ${binary}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

export function findK6({ build = true, log = console.error } = {}) {
  if (process.env.K6_BIN) return process.env.K6_BIN;
  const onPath = which('k6');
  if (onPath) return onPath;
  const built = join(binDir, 'k6');
  if (existsSync(built)) return built;
  if (!build) return undefined;
  const go = which('go') ?? (existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : undefined);
  if (!go) {
    log(
      'k6 was not found on PATH and Go is not installed to build it.\n' +
        '  Install k6 (see its documentation for Debian packages), or install Go and re-run:\n' +
        `  this script builds go.k6.io/k6@${K6_VERSION} with \`go install\` into ${binDir}.`,
    );
    return undefined;
  }
  mkdirSync(binDir, { recursive: true });
  log(`k6: not on PATH; building go.k6.io/k6@${K6_VERSION} with go install (about 2 minutes, once)…`);
  const r = spawnSync(go, ['install', `go.k6.io/k6@${K6_VERSION}`], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, GOBIN: binDir },
  });
  if (r.status !== 0 || !existsSync(built)) {
    log('k6: go install failed (see above).');
    return undefined;
  }
  return built;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const k6 = findK6();
  if (!k6) process.exit(1);
  console.log(k6);
}
