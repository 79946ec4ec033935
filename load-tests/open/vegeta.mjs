// Finds vegeta (github.com/tsenart/vegeta, MIT licence), or builds the pinned version with
// `go install` into .stack/bin when it is missing and Go is there: the project's own load
// generator (CI's smoke run, perf-sweep). Go modules come through Go's module proxy; the build
// takes about a minute of CPU once, then the binary (and Go's module cache) are reused.
//
//   node load-tests/open/vegeta.mjs        prints the binary's path (builds it if needed)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const VEGETA_MODULE = 'github.com/tsenart/vegeta/v12';
export const VEGETA_VERSION = 'v12.13.0';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function which(binary) {
  const r = spawnSync('sh', ['-c', `command -v ${binary}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** Go: on PATH, GO_BIN, or where its tarball installs it. */
export function findGo(env = process.env) {
  if (env.GO_BIN && existsSync(env.GO_BIN)) return env.GO_BIN;
  return which('go') ?? (existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : undefined);
}

/** The version a vegeta binary reports (`vegeta -version`), or undefined. */
export function versionOf(binary) {
  const r = spawnSync(binary, ['-version'], { encoding: 'utf8' });
  const m = /Version:\s*(\S+)/.exec(`${r.stdout}${r.stderr}`);
  return m ? m[1] : undefined;
}

/**
 * VEGETA_BIN, else the pinned build in <stack dir>/bin (built now if missing and `build`), else
 * `vegeta` on PATH. Undefined, after saying what to install, when there is none.
 */
export function findVegeta({ build = true, log = console.error, env = process.env } = {}) {
  if (env.VEGETA_BIN) return env.VEGETA_BIN;
  const binDir = join(env.NETPAY_STACK_DIR ?? join(root, '.stack'), 'bin');
  const built = join(binDir, 'vegeta');
  // A build of another version (after the pin moved) is rebuilt.
  if (existsSync(built) && versionOf(built) === VEGETA_VERSION) return built;
  const go = build ? findGo(env) : undefined;
  if (!go) {
    const onPath = which('vegeta');
    if (onPath) return onPath;
    log(
      `vegeta was not found and ${build ? 'Go is not installed to build it' : 'building it is off'}.\n` +
        `  Install Go (1.22 or newer) and re-run: this builds ${VEGETA_MODULE}@${VEGETA_VERSION} (MIT)\n` +
        `  with \`go install\` into ${binDir}. Or put a vegeta 12 on PATH, or set VEGETA_BIN.`,
    );
    return undefined;
  }
  mkdirSync(binDir, { recursive: true });
  log(`vegeta: building ${VEGETA_MODULE}@${VEGETA_VERSION} with go install into ${binDir} (once)…`);
  // Built into a directory of its own, then moved: a half-written binary is never picked up.
  const staging = join(binDir, `.vegeta-build-${process.pid}`);
  const r = spawnSync(
    go,
    ['install', '-ldflags', `-X main.Version=${VEGETA_VERSION}`, `${VEGETA_MODULE}@${VEGETA_VERSION}`],
    {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...env, GOBIN: staging, GOFLAGS: `${env.GOFLAGS ?? ''} -buildvcs=false`.trim() },
    },
  );
  if (r.status !== 0 || !existsSync(join(staging, 'vegeta'))) {
    rmSync(staging, { recursive: true, force: true });
    log('vegeta: go install failed (see above).');
    return undefined;
  }
  renameSync(join(staging, 'vegeta'), built);
  rmSync(staging, { recursive: true, force: true });
  return built;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const vegeta = findVegeta();
  if (!vegeta) process.exit(1);
  console.log(vegeta);
}
