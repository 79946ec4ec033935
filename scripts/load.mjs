// `npm run load -- <scenario> [k6 args]` | `npm run load -- <scenario> --vegeta` | `npm run load -- --list`
//
// Runs one load scenario of load-tests/ against the local NetPay stack: brings the stack up when
// the broker at BROKER_URL does not answer (and stops it afterwards), seeds the customers and
// chains the scenario needs before the measured phase, then sends the load and exits non-zero
// when a threshold is crossed (99) or the run failed (1).
//
// The load comes from k6 (the scenario's k6 script) when k6 is installed: K6_BIN or `k6` on PATH.
// NetPay never downloads or builds k6 (AGPL-3.0). With --vegeta the same seeded payments are sent
// by vegeta (MIT, built on demand with Go, load-tests/open/): what CI and perf-sweep use.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dataNeeds, PLANS, planScenarios, settings, totalSeconds } from '../load-tests/lib/plans.js';
import { openModelNeeds, streamsOf } from '../load-tests/open/plan.mjs';
import { openModelScenarios, runOpenModel } from '../load-tests/open/run.mjs';
import { findVegeta } from '../load-tests/open/vegeta.mjs';
import { findK6 } from './k6.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const stackDir = process.env.NETPAY_STACK_DIR ?? join(root, '.stack');
const loadDir = join(stackDir, 'load');
// BROKER_PORT as `npm start` and the demo take it (VENDOR_BASE_PORT is read where the stack starts).
const brokerUrl = (process.env.BROKER_URL ?? `http://127.0.0.1:${process.env.BROKER_PORT || '3000'}`).replace(
  /\/$/,
  '',
);
const say = (line) => console.log(`load: ${line}`);

const USAGE = `npm run load -- <scenario> [k6 run args]     npm run load -- <scenario> --vegeta     npm run load -- --list
  k6: K6_BIN or \`k6\` on PATH (install it yourself; NetPay does not fetch it). --vegeta: vegeta, built
  on demand with Go into .stack/bin (constant-rate scenarios: smoke, steady-spend, hopping, noop, soak).
  Env: BROKER_URL (default http://127.0.0.1:\${BROKER_PORT:-3000}; a stack is started when it does not answer),
  VENDOR_URLS (comma-separated, when the stack runs already: its broker is then waited for, up to 120 s), ADMIN_TOKEN (else .stack/secrets.json),
  RATE, DURATION, VUS, HOP, REPLAY, … (per scenario, see --list and load-tests/README.md),
  SUMMARY_FILE (default .stack/load/<scenario>-summary.json), KEEP_LOAD_DATA=1 keeps the seeded
  data and the started stack's JetStream stream and Redis keys.`;

function list() {
  console.log('Load scenarios (npm run load -- <scenario> [--vegeta]):\n');
  const open = new Set(openModelScenarios());
  for (const [name, plan] of Object.entries(PLANS)) {
    const knobs = Object.entries(plan.defaults)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    const by = open.has(name) ? 'k6 or --vegeta' : 'k6 only (requests the vegeta plan does not make)';
    console.log(`  ${name.padEnd(13)} ${plan.description}\n  ${''.padEnd(13)} defaults: ${knobs} · ${by}`);
  }
}

async function answers(url) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    return res.ok;
  } catch {
    return false;
  }
}

const GIVEN_STACK_READY_MS = 120_000;

/** Asks `url` until it answers 2xx or `ms` have passed. */
async function readyWithin(url, ms) {
  const until = Date.now() + ms;
  for (let waited = false; ; waited = true) {
    if (await answers(url)) return true;
    if (Date.now() > until) return false;
    if (!waited) say(`${url} is not ready yet: waiting up to ${ms / 1000} s…`);
    await new Promise((r) => setTimeout(r, 1_000));
  }
}

/** Starts `serve.js` on a JetStream stream and Redis prefix of this run; resolves with its vendor URLs. */
async function startStack(runId) {
  const up = spawnSync(process.execPath, [join(root, 'scripts', 'stack.mjs'), 'up'], { stdio: 'inherit' });
  if (up.status !== 0) throw new Error('NATS/Redis could not be started (scripts/stack.mjs up)');
  const url = new URL(brokerUrl);
  const env = {
    ...process.env,
    BROKER_PORT: url.port || '80',
    EVENT_STORE_STREAM: `NETPAY_LOAD_${runId.toUpperCase()}`,
    EVENT_STORE_SUBJECT_PREFIX: `netpay.load.${runId}`,
    REDIS_KEY_PREFIX: `netpay:load:${runId}:`,
    // Broker and vendor subjects of their own: another stack on the same NATS must not answer ours.
    NATS_SUBJECT_PREFIX: `load.${runId}`,
    // The load-test route GET /noop/{id} is off unless configured (VendorConfig NOOP_ROUTE).
    NOOP_ROUTE: 'true',
  };
  say(`starting the stack (node dist/apps/demo/src/serve.js, stream ${env.EVENT_STORE_STREAM})…`);
  const child = spawn(process.execPath, [join(root, 'dist/apps/demo/src/serve.js')], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  const vendors = await new Promise((resolveUp, reject) => {
    const done = (error, found) => {
      clearTimeout(timer);
      child.off('exit', onExit);
      child.stdout.off('data', onData);
      if (error) reject(error);
      else resolveUp(found);
    };
    const onExit = (code) => done(new Error(`the stack exited (${code}) before it was ready:\n${output}`));
    const onData = (chunk) => {
      output += chunk;
      // serve.js prints its URL table once everything is ready; the redemption row ends it.
      if (!output.includes('NetPay is serving') || !/^\s*redemption\s/m.test(output)) return;
      done(
        undefined,
        [...output.matchAll(/^\s*vendor \S+\s+(http:\/\/\S+)/gm)].map((m) => m[1]),
      );
    };
    const timer = setTimeout(() => done(new Error(`the stack was not ready in 120 s:\n${output}`)), 120_000);
    child.once('exit', onExit);
    child.stdout.on('data', onData);
  });
  process.stdout.write(output.replace(/^/gm, '  | '));
  child.stdout.resume();
  return { child, vendors, stream: env.EVENT_STORE_STREAM, redisPrefix: env.REDIS_KEY_PREFIX };
}

async function stopStack(stack) {
  if (stack.child.exitCode !== null) return;
  say('stopping the stack it started (SIGINT)…');
  const exited = new Promise((r) => stack.child.once('exit', r));
  stack.child.kill('SIGINT');
  const timer = setTimeout(() => stack.child.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(timer);
}

/** Drops the run's JetStream stream and Redis keys: a load run leaves nothing behind. */
async function dropRunData(stack) {
  const { connect } = await import('@nats-io/transport-node');
  const { jetstreamManager } = await import('@nats-io/jetstream');
  const { Redis } = await import('ioredis');
  // The setup identity of the local stack (scripts/nats-auth.mjs) may delete streams.
  const authFile = process.env.NETPAY_NATS_AUTH_FILE ?? join(stackDir, 'nats-auth.json');
  const setup = existsSync(authFile) ? JSON.parse(readFileSync(authFile, 'utf8')) : undefined;
  const nc = await connect({
    servers: process.env.NATS_URL ?? setup?.url ?? 'nats://127.0.0.1:4222',
    ...(setup ? { user: setup.identities.setup.user, pass: setup.identities.setup.password } : {}),
    ...(setup ? { inboxPrefix: setup.identities.setup.inboxPrefix } : {}),
  });
  try {
    // The event store keeps its checkpoints in a companion stream `<name>_CHECKPOINTS`.
    const jsm = await jetstreamManager(nc);
    for await (const info of jsm.streams.list()) {
      const name = info.config.name;
      if (name === stack.stream || name.startsWith(`${stack.stream}_`)) await jsm.streams.delete(name);
    }
  } catch (error) {
    say(`could not delete stream ${stack.stream}: ${error.message}`);
  } finally {
    await nc.close();
  }
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { lazyConnect: true });
  await redis.connect();
  let keys = 0;
  for await (const batch of redis.scanStream({ match: `${stack.redisPrefix}*`, count: 500 })) {
    if (batch.length) keys += await redis.del(...batch);
  }
  await redis.quit();
  say(`dropped stream ${stack.stream} and ${keys} Redis keys of this run`);
}

function adminToken() {
  if (process.env.ADMIN_TOKEN) return process.env.ADMIN_TOKEN;
  const file = join(stackDir, 'secrets.json');
  if (!existsSync(file)) throw new Error(`no ADMIN_TOKEN and no ${file}: which stack is this?`);
  return JSON.parse(readFileSync(file, 'utf8')).adminToken;
}

function vendorUrls() {
  if (process.env.VENDOR_URLS) return process.env.VENDOR_URLS.split(',').map((u) => u.trim());
  const base = Number(process.env.VENDOR_BASE_PORT ?? 3101);
  return [0, 1, 2].map((i) => `http://127.0.0.1:${base + i}`);
}

function seed({ name, o, runId, vendors, dir, openModel }) {
  const needs = openModel ? openModelNeeds(name, o) : dataNeeds(planScenarios(name, o), o);
  say(
    `seeding ${needs.vus} ${openModel ? '' : 'VU '}bundles: ${needs.clientCoins} client-side coins (chains of ${needs.chainCoins}) ` +
      `and ${needs.serverCoins} server-side coins per ${openModel ? 'bundle' : 'VU'}…`,
  );
  const args = [
    join(root, 'dist/apps/demo/src/load-seed.js'),
    '--broker',
    brokerUrl,
    ...vendors.flatMap((v) => ['--vendor', v]),
    '--vus',
    String(needs.vus),
    '--client-coins',
    String(needs.clientCoins),
    '--chain-coins',
    String(needs.chainCoins),
    '--server-coins',
    String(needs.serverCoins),
    '--run-id',
    runId,
    '--out',
    dir,
  ];
  const r = spawnSync(process.execPath, args, {
    stdio: 'inherit',
    env: { ...process.env, ADMIN_TOKEN: adminToken() },
  });
  if (r.status !== 0) throw new Error('seeding failed');
}

/**
 * k6's Go runtime settings, unless the caller set them: a lazier GC (GOGC=200). k6 shares this
 * project's 2-core machine with the stack it measures. GOMAXPROCS is left to Go: GOMAXPROCS=1
 * costs ~20 % less k6 CPU per request and gave ~9 % more spends/s at saturation, but k6's own
 * scheduling then shows in the latencies it measures (p99 at 1,000 spends/s 23–30 ms instead of
 * 11 ms, same machine, docs/performance.md) — set it when throughput matters more than the tail.
 */
function k6Env(env) {
  return { ...env, GOGC: env.GOGC || '200' };
}

function runK6(k6, { name, o, dir, summaryFile, k6Args }) {
  const env = {
    ...o,
    DATA_FILE: join(dir, 'data.json'),
    META_FILE: join(dir, 'meta.json'),
    SUMMARY_FILE: summaryFile,
  };
  const args = ['run', ...(process.stdout.isTTY ? [] : ['--quiet'])];
  for (const [key, value] of Object.entries(env)) args.push('-e', `${key}=${value}`);
  args.push(...k6Args, join(root, 'load-tests', PLANS[name].script));
  say(`k6 run ${PLANS[name].script} (about ${Math.round(totalSeconds(planScenarios(name, o)))} s)…`);
  return new Promise((resolveRun) => {
    const child = spawn(k6, args, { cwd: root, stdio: 'inherit', env: k6Env(process.env) });
    child.once('exit', (code, signal) => resolveRun(code ?? (signal ? 1 : 0)));
  });
}

async function main() {
  const argv = process.argv.slice(2);
  if (argv.includes('--list')) return list() ?? 0;
  const openModel = argv.includes('--vegeta');
  const [name, ...k6Args] = argv.filter((a) => a !== '--vegeta');
  if (!name || name === '--help' || name === '-h') {
    console.log(USAGE);
    return name ? 0 : 2;
  }
  if (!PLANS[name]) {
    console.error(`load: unknown scenario "${name}"\n`);
    list();
    return 2;
  }
  const o = settings(name, process.env);
  if (openModel) streamsOf(name, o); // a scenario vegeta cannot run is refused before anything starts
  const generator = openModel ? findVegeta() : findK6();
  if (!generator) return 1;
  const runId = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const keep = process.env.KEEP_LOAD_DATA === '1';
  const dir = join(loadDir, `data-${name}-${runId}`);
  const summaryFile = resolve(process.env.SUMMARY_FILE ?? join(loadDir, `${name}-summary.json`));
  mkdirSync(dirname(summaryFile), { recursive: true });
  let stack;
  // k6 gets Ctrl-C too (same process group) and ends with its summary; we then clean up.
  process.on('SIGINT', () => say('interrupted: waiting for k6 to finish its summary…'));
  try {
    // VENDOR_URLS given: the caller runs the stack (perf-sweep). A broker slow to answer (busy
    // catching up after the last run, on a starved machine) is waited for, not taken for absent —
    // starting a stack of our own then failed on the caller's NATS and lost the run.
    const given = process.env.VENDOR_URLS !== undefined;
    const ready = given
      ? await readyWithin(`${brokerUrl}/health/ready`, GIVEN_STACK_READY_MS)
      : await answers(`${brokerUrl}/health/ready`);
    if (ready) say(`using the stack at ${brokerUrl}`);
    else if (given) throw new Error(`the broker at ${brokerUrl} (VENDOR_URLS given) is not ready`);
    else stack = await startStack(runId);
    seed({ name, o, runId, vendors: stack ? stack.vendors : vendorUrls(), dir, openModel });
    const code = openModel
      ? await runOpenModel(generator, { name, o, dir, summaryFile, say })
      : await runK6(generator, { name, o, dir, summaryFile, k6Args });
    const by = openModel ? 'vegeta run' : 'k6';
    say(
      `summary: ${summaryFile}${code === 0 ? '' : ` — ${by} exited ${code} (a threshold crossed, or it failed)`}`,
    );
    return code;
  } finally {
    if (stack) await stopStack(stack);
    if (!keep) {
      rmSync(dir, { recursive: true, force: true });
      if (stack) await dropRunData(stack).catch((e) => say(`cleanup: ${e.message}`));
    }
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`load: ${error.message}`);
    process.exit(1);
  },
);
