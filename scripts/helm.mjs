// Finds helm (helm.sh/helm, Apache-2.0), or builds the pinned version with `go install` into
// .stack/bin when it is missing and Go is there, as load-tests/open/vegeta.mjs does for vegeta:
// the chart test (test/helm-chart.spec.ts) lints and renders deploy/helm/netpay with it. Go
// modules come through Go's module proxy; the build takes a few minutes of CPU once.
//
//   node scripts/helm.mjs        prints the binary's path (builds it if needed)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findGo } from '../load-tests/open/vegeta.mjs';

export const HELM_MODULE = 'helm.sh/helm/v4/cmd/helm';
export const HELM_VERSION = 'v4.3.2';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The version a helm binary reports (`helm version --template {{.Version}}`), or undefined. */
export function helmVersionOf(binary) {
  const r = spawnSync(binary, ['version', '--template', '{{.Version}}'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/**
 * HELM_BIN, else the pinned build in <stack dir>/bin (built now if missing and `build`).
 * Undefined, after saying what to install, when there is none.
 */
export function findHelm({ build = true, log = console.error, env = process.env } = {}) {
  if (env.HELM_BIN) return env.HELM_BIN;
  const binDir = join(env.NETPAY_STACK_DIR ?? join(root, '.stack'), 'bin');
  const built = join(binDir, 'helm');
  if (existsSync(built) && helmVersionOf(built) === HELM_VERSION) return built;
  const go = build ? findGo(env) : undefined;
  if (!go) {
    log(
      `helm was not found and ${build ? 'Go is not installed to build it' : 'building it is off'}.\n` +
        `  Install Go (1.24 or newer) and re-run: this builds ${HELM_MODULE}@${HELM_VERSION} (Apache-2.0)\n` +
        `  with \`go install\` into ${binDir}. Or set HELM_BIN to a helm 4 binary.`,
    );
    return undefined;
  }
  mkdirSync(binDir, { recursive: true });
  log(`helm: building ${HELM_MODULE}@${HELM_VERSION} with go install into ${binDir} (once)…`);
  // Built into a directory of its own, then moved: a half-written binary is never picked up.
  const staging = join(binDir, `.helm-build-${process.pid}`);
  const r = spawnSync(
    go,
    [
      'install',
      '-ldflags',
      `-X helm.sh/helm/v4/internal/version.version=${HELM_VERSION}`,
      `${HELM_MODULE}@${HELM_VERSION}`,
    ],
    {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...env, GOBIN: staging, GOFLAGS: `${env.GOFLAGS ?? ''} -buildvcs=false`.trim() },
    },
  );
  if (r.status !== 0 || !existsSync(join(staging, 'helm'))) {
    rmSync(staging, { recursive: true, force: true });
    log('helm: go install failed (see above).');
    return undefined;
  }
  renameSync(join(staging, 'helm'), built);
  rmSync(staging, { recursive: true, force: true });
  return built;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const helm = findHelm();
  if (!helm) process.exit(1);
  console.log(helm);
}
