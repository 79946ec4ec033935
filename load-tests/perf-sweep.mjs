// node load-tests/perf-sweep.mjs [options]   (after `npm run build`)
//
// The figures of docs/performance.md: starts a NetPay stack of its own (broker, three vendors,
// redemption worker on ports, a JetStream stream and a Redis prefix of this run), then runs load
// scenarios one after another against it through `scripts/load.mjs <scenario> --vegeta` — each
// seeded before its measured phase, the load sent by vegeta (MIT, load-tests/open) at a constant
// rate — and samples the CPU of every process that matters while vegeta's measured phase runs.
// One line per run: achieved rate, p50/p95/p99, errors, requests vegeta sent late or not at all,
// and the CPU split (vendor, broker, nats-server, redis, the generator, anything else on the
// machine). Stops the stack and drops its data at the end.
//
//   --runs "bare@5000,noop@5000,steady-spend@1000"   scenario@RATE, in order; `bare` is a bare
//                         node:http server answering the no-op's JSON (load-tests/open/bare-server.mjs),
//                         measured in the same run: the floor any Node service meets here
//   --duration 30s        each run's DURATION (scenarios with a fixed shape ignore it)
//   --vus 200             requests in flight at most (vegeta's workers; rate ≤ workers / latency)
//   --chain-coins 2000    coins per seeded chain (fewer purchases to seed)
//   --profile DIR         V8 CPU profile, event-loop delay and GC of the newspaper vendor over each
//                         measured phase, into DIR (load-tests/perf-profiled.mjs)
//   --stalls DIR          the same without the CPU profiler (which costs CPU of its own)
//   --nats-prof DIR       nats-server's own CPU profile (Go pprof, port-base+22) over each measured
//                         phase, into DIR/<scenario>-<rate>-<n>.nats.pprof (`go tool pprof -top FILE`);
//                         with this run's nats-server only (not --shared-servers)
//   --out FILE            the rows as JSON (default .stack/load/perf-sweep.json)
//   --port-base 25000     broker port; redemption +1, vendors +2…+4
//   --env K=V             more env for every process of the stack (repeatable), e.g. LOG_LEVEL=warn
//   --shared-servers      use the NATS and Redis at NATS_URL / REDIS_URL (default: a nats-server and a
//                         redis-server of this run on port-base+20/+21, so their CPU is this run's alone)
//   --nats-bin PATH       the nats-server of this run (2.10+ gets deploy/nats/nats-server-fsync.conf)
//   --vendor-node-options=--max-semi-space-size=32   NODE_OPTIONS of the newspaper vendor only
//   --set K=V             more env for scripts/load.mjs (repeatable), e.g. HOP=0.5, BURSTS=1
//   --replay 0.02         REPLAY share of the spend scenarios (the scenario's default when omitted)
//   --hot-path            the spend path alone: no redemption worker, and the broker (needed only to
//                         seed) paused (SIGSTOP) while the load runs, so their projections of every spend
//                         do not share the two cores; without it the whole stack runs, as deployed
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = (p) => pathToFileURL(join(root, 'dist', p)).href;
const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: 'steady-spend@1000,noop@1000' },
    duration: { type: 'string', default: '30s' },
    vus: { type: 'string', default: '200' },
    'chain-coins': { type: 'string', default: '2000' },
    profile: { type: 'string' },
    stalls: { type: 'string' },
    'nats-prof': { type: 'string' },
    out: { type: 'string', default: join(root, '.stack/load/perf-sweep.json') },
    'port-base': { type: 'string', default: '25000' },
    env: { type: 'string', multiple: true, default: [] },
    'shared-servers': { type: 'boolean', default: false },
    'nats-bin': { type: 'string' },
    replay: { type: 'string' },
    set: { type: 'string', multiple: true, default: [] },
    'vendor-node-options': { type: 'string' },
    'hot-path': { type: 'boolean', default: false },
  },
});

// This run's NATS and Redis, in the environment before the stack's modules load: their config
// (stack.config) is read once, at the first look, and must see this run's NATS identities.
const runId = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
const servers = serversEnv(runId, Number(args['port-base']));
if (servers.NETPAY_STACK_DIR) {
  process.env.NATS_URL = servers.NATS_URL;
  process.env.REDIS_URL = servers.REDIS_URL;
  process.env.NETPAY_NATS_AUTH_FILE = join(servers.NETPAY_STACK_DIR, 'nats-auth.json');
}

const { brokerSpec, DEMO_VENDORS, freshSecrets, redemptionSpec, vendorSpec } = await import(
  dist('apps/demo/src/local-stack.js')
);
const { Supervisor } = await import(dist('apps/demo/src/supervisor.js'));
const { attack } = await import('./open/run.mjs');
const { foldPhase } = await import('./open/report.mjs');
const { findVegeta } = await import('./open/vegeta.mjs');
const { natsRoleIdentity } = await import(dist('apps/demo/src/stack-env.js'));
const { JetStreamEventStore } = await import(dist('libs/event-store/src/index.js'));

const say = (line) => console.log(`perf: ${line}`);
let vegeta;
let natsProfiles = 0;
const HZ = 100; // USER_HZ of /proc (getconf CLK_TCK on Linux)
const PAUSE_AFTER_MS = 2_000;
/** How long a process of the stack may take to answer its readiness probe (a starved machine is slow). */
const READY_MS = 90_000;

/** utime + stime of a process (all its threads), in ticks; undefined once it is gone. */
function processTicks(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

/** Sends a signal; a process that is gone is reported, not thrown about. */
function signal(pid, name) {
  try {
    process.kill(pid, name);
  } catch (error) {
    say(`cannot send ${name} to ${pid}: ${error.code ?? error}`);
  }
}

/** Busy and total ticks of the whole machine. */
function machineTicks() {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = cpu.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - cpu[3] - cpu[4], total };
}

/** Pids whose command line matches. */
function pidsOf(test) {
  const found = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (test(cmd)) found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

function serverPids(natsPort, redisPort) {
  const nats = pidsOf((c) => /nats-server$/.test(c[0]) && c.includes(String(natsPort)));
  const redis = pidsOf((c) => /redis-server/.test(c[0]) && c.join(' ').includes(`:${redisPort}`));
  return { nats, redis };
}

/** Descendants of a pid (the vendor's worker processes). */
function descendants(pid) {
  const children = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  const out = [];
  const walk = (p) => {
    for (const c of children.get(p) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(pid);
  return out;
}

/**
 * Samples every second: machine ticks and each group's ticks. The window is the last
 * `seconds` before the generator ended (its measured phase), less a second at each end.
 */
class CpuSampler {
  constructor(groups) {
    this.groups = groups; // name → () => pids
    this.samples = [];
    // Ticks of each group so far, summed per process from the last sample of that process: a
    // group whose processes come and go (a ramp's vegeta attacks, one a second) keeps counting.
    this.total = Object.fromEntries(Object.keys(groups).map((name) => [name, 0]));
    this.seen = new Map(); // pid → ticks at its last sample
    this.timer = setInterval(() => this.sample(), 1000);
    this.sample();
  }

  sample() {
    const at = Date.now();
    const m = machineTicks();
    const per = {};
    const alive = {};
    for (const [name, pids] of Object.entries(this.groups)) {
      let live = 0;
      for (const pid of pids()) {
        const ticks = processTicks(pid);
        if (ticks === undefined) continue;
        live++;
        this.total[name] += Math.max(0, ticks - (this.seen.get(pid) ?? 0));
        this.seen.set(pid, ticks);
      }
      per[name] = this.total[name];
      alive[name] = live;
    }
    this.samples.push({ at, machine: m, per, alive });
  }

  /** Average CPU % (100 = one core) of each group over [from, to]. */
  window(from, to) {
    clearInterval(this.timer);
    const inside = this.samples.filter((s) => s.at >= from && s.at <= to);
    if (inside.length < 2) return undefined;
    const a = inside[0];
    const b = inside[inside.length - 1];
    const seconds = (b.at - a.at) / 1000;
    const pct = (ticks) => Math.round((ticks / HZ / seconds) * 100);
    const out = {};
    let known = 0;
    for (const name of Object.keys(this.groups)) {
      // Counts only grow, and stop when a group's processes ended (the generator's, at its end).
      const ticks = Math.max(0, b.per[name] - a.per[name]);
      out[name] = pct(ticks);
      known += ticks;
    }
    const busy = b.machine.busy - a.machine.busy;
    out.machine = pct(busy);
    out.other = Math.max(0, pct(busy - known));
    out.cores = Math.round(((b.machine.total - a.machine.total) / HZ / seconds) * 10) / 10;
    return out;
  }
}

function seconds(duration) {
  const units = { ms: 0.001, s: 1, m: 60, h: 3600 };
  let total = 0;
  for (const [, n, u] of String(duration).matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g))
    total += Number(n) * units[u];
  return total;
}

/** NATS and Redis of this run (scripts/stack.mjs with a state dir of its own), unless shared. */
function serversEnv(runId, base) {
  if (args['shared-servers']) return {};
  return {
    NATS_URL: `nats://127.0.0.1:${base + 20}`,
    REDIS_URL: `redis://127.0.0.1:${base + 21}`,
    NETPAY_STACK_DIR: join(root, '.stack', `perf-servers-${runId}`),
    ...(args['nats-bin'] ? { NATS_SERVER_BIN: resolve(args['nats-bin']) } : {}),
    ...(args['nats-prof'] ? { NETPAY_NATS_PROF_PORT: String(base + 22) } : {}),
  };
}

function stackScript(command, servers) {
  return spawnSync(process.execPath, [join(root, 'scripts/stack.mjs'), command], {
    stdio: 'inherit',
    env: { ...process.env, ...servers },
  });
}

async function startStack(runId, base, servers) {
  const up = stackScript('up', servers);
  if (up.status !== 0) throw new Error('NATS/Redis could not be started');
  if (servers.NATS_URL) process.env.NATS_URL = servers.NATS_URL;
  if (servers.REDIS_URL) process.env.REDIS_URL = servers.REDIS_URL;
  // The identities of the NATS that `up` started (or found): every process connects as its role.
  if (servers.NETPAY_STACK_DIR)
    process.env.NETPAY_NATS_AUTH_FILE = join(servers.NETPAY_STACK_DIR, 'nats-auth.json');
  const extraEnv = Object.fromEntries(args.env.map((kv) => kv.split(/=(.*)/s).slice(0, 2)));
  const options = {
    secrets: freshSecrets(),
    streamName: `NETPAY_PERF_${runId.toUpperCase()}`,
    subjectPrefix: `netpay.perf.${runId}`,
    natsSubjectPrefix: `perf.${runId}`,
    redisKeyPrefix: `netpay:perf:${runId}:`,
    natsUrl: process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
    redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    brokerPort: base,
    redemptionPort: base + 1,
    timeZone: 'Pacific/Auckland',
  };
  process.env.VENDOR_BASE_PORT = String(base + 2);
  // local-stack read VENDOR_BASE_PORT when it was imported: rebuild the vendor list on our ports.
  const vendors = DEMO_VENDORS.map((v, i) => ({ ...v, port: base + 2 + i }));
  // The setup role provisions the run's streams; the services only check them.
  await JetStreamEventStore.provision({
    servers: [options.natsUrl],
    streamName: options.streamName,
    subjectPrefix: options.subjectPrefix,
    ...natsRoleIdentity('setup'),
  });
  const supervisor = new Supervisor(root, join(root, '.stack/logs', `perf-${runId}`));
  const withEnv = (spec, more = {}) => ({ ...spec, env: { ...spec.env, ...extraEnv, ...more } });
  // A process that does not come up stops the sweep; those already started are stopped with it
  // (they were left running, holding the ports, and the next sweep could not start).
  try {
    await supervisor.start(withEnv(brokerSpec(options)), READY_MS);
    const started = {};
    for (const v of vendors) {
      // NOOP_ROUTE: the load-test route GET /noop/{id} is off unless configured.
      const more = { NOOP_ROUTE: 'true' };
      if (args['vendor-node-options'] && v.id === 'newspaper')
        more.NODE_OPTIONS = args['vendor-node-options'];
      let spec = vendorSpec(options, v);
      const observed = args.profile ?? args.stalls;
      if (observed && v.id === 'newspaper') {
        mkdirSync(observed, { recursive: true });
        more.PERF_ENTRY = spec.entry;
        more.PERF_PROFILE_DIR = resolve(observed);
        more.PERF_CPU_PROFILE = args.profile ? '1' : '0';
        spec = { ...spec, entry: 'load-tests/perf-profiled.mjs' };
      }
      started[v.id] = await supervisor.start(withEnv(spec, more), READY_MS);
    }
    const redemption = args['hot-path']
      ? undefined
      : await supervisor.start(withEnv(redemptionSpec(options)), READY_MS);
    const brokerPid = pidsOf((c) => c.some((a) => a.endsWith('dist/apps/broker/src/main.js'))).find((pid) =>
      readFileSync(`/proc/${pid}/environ`, 'utf8').includes(`PORT=${base}\0`),
    );
    return { supervisor, options, vendors, started, brokerPid, redemptionPid: redemption?.child.pid };
  } catch (error) {
    await supervisor.stopAll();
    throw error;
  }
}

/** The vendor's own latency histogram of one route: cumulative counts by upper bound (seconds). */
async function serverBuckets(url, route) {
  try {
    const text = await (await fetch(`${url}/metrics`)).text();
    const out = {};
    for (const line of text.split('\n')) {
      if (
        !line.startsWith('netpay_http_request_duration_seconds_bucket') &&
        !line.startsWith('http_request_duration_seconds_bucket')
      )
        continue;
      if (!line.includes(`route="${route}"`)) continue;
      const m = /le="([^"]+)"\}\s+(\d+)/.exec(line);
      if (m) out[m[1]] = (out[m[1]] ?? 0) + Number(m[2]);
    }
    return out;
  } catch {
    return {};
  }
}

/** Share of the route's answers the vendor gave within each bound, between two scrapes. */
function serverShares(before, after) {
  const total = (after['+Inf'] ?? 0) - (before['+Inf'] ?? 0);
  if (!total) return undefined;
  const share = (le) => Number((((after[le] ?? 0) - (before[le] ?? 0)) / total).toFixed(4));
  return {
    requests: total,
    within1ms: share('0.001'),
    within5ms: share('0.005'),
    within10ms: share('0.01'),
    within25ms: share('0.025'),
  };
}

/**
 * The `bare` run: a bare node:http server (load-tests/open/bare-server.mjs) answering the no-op's
 * JSON, under the same generator, rate and duration as the other runs; answers its row.
 */
async function runBare(stack, rate) {
  const port = stack.options.brokerPort + 9;
  const server = spawn(process.execPath, [join(root, 'load-tests/open/bare-server.mjs')], {
    env: { ...process.env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise((ready, fail) => {
    server.once('exit', (c) => fail(new Error(`bare server exited ${c}`)));
    server.stdout.once('data', ready);
  });
  const secs = seconds(args.duration);
  const requests = Array.from({ length: Math.round(rate * secs) }, (_, i) => ({
    due: i / rate,
    target: { method: 'GET', url: `http://127.0.0.1:${port}/noop/n${i % 100}#${i}` },
    expect: { endpoint: 'noop', id: `n${i % 100}` },
  }));
  const sampler = new CpuSampler({
    vendor: () => [server.pid],
    // (ours: a child of this process — other people's vegetas may run meanwhile)
    gen: () =>
      pidsOf(
        (c) =>
          /vegeta$/.test(c[0]) && c[1] === 'attack' && c.some((arg) => /^-name=measured(-\d+)?$/.test(arg)),
      ).filter((pid) => descendants(process.pid).includes(pid)),
  });
  say(`bare node:http at ${rate}/s for ${args.duration} (at most ${args.vus} in flight)…`);
  const dir = join(root, '.stack/load', `perf-bare-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  let results;
  try {
    results = await attack(vegeta, {
      requests,
      rate,
      seconds: secs,
      maxWorkers: Number(args.vus),
      dir,
      name: 'measured',
    });
  } finally {
    server.kill('SIGTERM');
  }
  const genEnd = sampler.samples.filter((x) => x.alive.gen > 0).at(-1)?.at ?? Date.now();
  const cpu = sampler.window(genEnd - (secs - 1) * 1000, genEnd - 1000);
  const phase = foldPhase(requests, results, { rate });
  rmSync(dir, { recursive: true, force: true });
  const e = phase.endpoints.noop ?? { requests: 0, errors: 0 };
  return {
    scenario: 'bare',
    endpoint: 'noop',
    rate,
    exit: 0,
    seconds: secs,
    achieved: Math.round((e.requests - e.errors) / secs),
    handOffsPerSecond: 0,
    dropped: phase.notSent,
    late: phase.late,
    sentPerSecond: phase.sentPerSecond,
    errors: e.requests ? Number((e.errors / e.requests).toFixed(4)) : 0,
    doubleSpends: 0,
    p50: e.p50Ms,
    p95: e.p95Ms,
    p99: e.p99Ms,
    endpoints: {},
    cpu,
  };
}

/** Runs one scenario through scripts/load.mjs against the stack; answers its row. */
async function runOne(stack, name, rate) {
  if (name === 'bare') return runBare(stack, rate);
  const summaryFile = join(root, '.stack/load', `perf-${name}-${rate}-${Date.now()}.json`);
  const env = {
    ...process.env,
    BROKER_URL: `http://127.0.0.1:${stack.options.brokerPort}`,
    VENDOR_URLS: stack.vendors.map((v) => `http://127.0.0.1:${v.port}`).join(','),
    ADMIN_TOKEN: stack.options.secrets.adminToken,
    RATE: String(rate),
    DURATION: args.duration,
    VUS: args.vus,
    CHAIN_COINS: args['chain-coins'],
    SUMMARY_FILE: summaryFile,
    // These runs measure speed: the latency thresholds of the scenario must not stop them.
    P95_SPEND: '100000',
    P99_SPEND: '100000',
    ...(args.replay !== undefined ? { REPLAY: args.replay } : {}),
    ...Object.fromEntries(args.set.map((kv) => kv.split(/=(.*)/s).slice(0, 2))),
  };
  const newspaper = stack.started.newspaper.child.pid;
  /** This run's scripts/load.mjs, once started. */
  let loader;
  const { nats, redis } = serverPids(
    new URL(stack.options.natsUrl).port || 4222,
    new URL(stack.options.redisUrl).port || 6379,
  );
  const sampler = new CpuSampler({
    vendor: () => [newspaper, ...descendants(newspaper)],
    otherVendors: () =>
      Object.entries(stack.started)
        .filter(([id]) => id !== 'newspaper')
        .flatMap(([, r]) => [r.child.pid, ...descendants(r.child.pid)]),
    broker: () => (stack.brokerPid ? [stack.brokerPid] : []),
    redemption: () => (stack.redemptionPid ? [stack.redemptionPid] : []),
    nats: () => nats,
    redis: () => redis,
    // vegeta's measured phase only (its warm-up attack is named otherwise)
    // (ours: a descendant of this run's load script — other people's vegetas may run meanwhile)
    gen: () =>
      loader === undefined
        ? []
        : pidsOf(
            (c) =>
              /vegeta$/.test(c[0]) &&
              c[1] === 'attack' &&
              c.some((arg) => /^-name=measured(-\d+)?$/.test(arg)),
          ).filter((pid) => descendants(loader.pid).includes(pid)),
  });
  const vendorUrl = `http://127.0.0.1:${stack.vendors.find((v) => v.id === 'newspaper').port}`;
  const route = name === 'noop' ? '/noop/:id' : '/articles/:id';
  // The vendor's histogram once a second, so that its share of answers within 10 ms covers the
  // measured phase only (not a warm-up, whose first looks at every chain come all at once).
  const snapshots = [{ at: Date.now(), buckets: await serverBuckets(vendorUrl, route) }];
  const snapshotter = setInterval(() => {
    const at = Date.now();
    serverBuckets(vendorUrl, route).then(
      (buckets) => Object.keys(buckets).length > 0 && snapshots.push({ at, buckets }),
      () => undefined,
    );
  }, 1_000);
  say(`${name} at ${rate}/s for ${args.duration} (at most ${args.vus} in flight)…`);
  // The profile covers the measured phase (from a few seconds after it started), not the seeding.
  let profiling = false;
  const profiler =
    args.profile || args.stalls
      ? setInterval(() => {
          if (profiling || !sampler.samples.some((x) => x.alive.gen > 0)) return;
          profiling = true;
          clearInterval(profiler);
          setTimeout(() => signal(newspaper, 'SIGUSR2'), 5_000);
        }, 500)
      : undefined;
  // --nats-prof: nats-server's CPU profile over the measured phase (from 3 s after it started).
  let natsProfile;
  const natsProfiler =
    args['nats-prof'] && servers.NETPAY_NATS_PROF_PORT
      ? setInterval(() => {
          const genStart = sampler.samples.find((x) => x.alive.gen > 0)?.at;
          if (genStart === undefined || Date.now() < genStart + 3_000) return;
          clearInterval(natsProfiler);
          const secs = Math.max(1, Math.floor(seconds(args.duration) - 5));
          const file = join(resolve(args['nats-prof']), `${name}-${rate}-${++natsProfiles}.nats.pprof`);
          const url = `http://127.0.0.1:${servers.NETPAY_NATS_PROF_PORT}/debug/pprof/profile?seconds=${secs}`;
          natsProfile = fetch(url)
            .then(async (r) => {
              if (!r.ok) throw new Error(`HTTP ${r.status}`);
              mkdirSync(dirname(file), { recursive: true });
              writeFileSync(file, Buffer.from(await r.arrayBuffer()));
              say(`nats-server profile: ${file} (go tool pprof -top ${file})`);
            })
            .catch((error) => say(`no nats-server profile: ${error.message ?? error}`));
        }, 500)
      : undefined;
  // --hot-path: the broker sleeps during the measured phase, from PAUSE_AFTER_MS after it started
  // (the vendor asked it for its signing key in the warm-up) to when it ends.
  let pausedAt;
  const pauser = args['hot-path']
    ? setInterval(() => {
        const genStart = sampler.samples.find((x) => x.alive.gen > 0)?.at;
        if (genStart === undefined || Date.now() < genStart + PAUSE_AFTER_MS || !stack.brokerPid) return;
        pausedAt = Date.now();
        clearInterval(pauser);
        signal(stack.brokerPid, 'SIGSTOP');
      }, 200)
    : undefined;
  const code = await new Promise((done) => {
    const child = spawn(process.execPath, [join(root, 'scripts/load.mjs'), name, '--vegeta'], {
      cwd: root,
      env,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    loader = child;
    child.once('exit', (c) => done(c ?? 1));
  });
  clearInterval(profiler);
  clearInterval(natsProfiler);
  await natsProfile;
  clearInterval(pauser);
  if (pausedAt !== undefined) signal(stack.brokerPid, 'SIGCONT');
  if (profiling) {
    signal(newspaper, 'SIGUSR2');
    await new Promise((r) => setTimeout(r, 1_500));
  }
  const genSamples = sampler.samples.filter((s) => s.alive.gen > 0);
  const genEnd = genSamples.at(-1)?.at ?? Date.now();
  const from = Math.max(genEnd - (seconds(args.duration) - 1) * 1000, (pausedAt ?? 0) + 1000);
  const cpu = sampler.window(from, genEnd - 1000);
  clearInterval(snapshotter);
  const measuredFrom = snapshots.filter((x) => x.at <= from).at(-1) ?? snapshots[0];
  const server = serverShares(measuredFrom.buckets, await serverBuckets(vendorUrl, route));
  const endpoint = name === 'noop' ? 'noop' : name === 'issuance' ? 'purchase' : 'spend';
  if (!existsSync(summaryFile)) {
    // The load script stopped before its measured phase (its seeding failed: it said why above).
    // The row says so, and the sweep goes on with its next run instead of ending here.
    say(`${name}@${rate}: no summary (scripts/load.mjs exited ${code} before measuring); the row is empty`);
    return { scenario: name, endpoint, rate, exit: code, achieved: 0, failed: 'no summary', cpu };
  }
  const s = JSON.parse(readFileSync(summaryFile, 'utf8'));
  const e = s.endpoints[endpoint] ?? {};
  const requests = Object.values(s.endpoints).reduce((n, x) => n + (x.requests || 0), 0);
  const failed = Object.values(s.endpoints).reduce(
    (n, x) => n + Math.round((x.requests || 0) * (x.failedRate || 0)),
    0,
  );
  return {
    scenario: name,
    endpoint,
    rate,
    exit: code,
    seconds: s.durationSeconds,
    achieved:
      name === 'noop'
        ? Math.round(e.requests / s.durationSeconds)
        : name === 'issuance'
          ? Math.round(s.purchases / s.durationSeconds)
          : Math.round(s.spends.accepted / s.durationSeconds),
    handOffsPerSecond: Math.round(s.spends.handOffs / s.durationSeconds),
    dropped: s.droppedIterations,
    late: s.sent?.late,
    outOfOrder: s.outOfOrder,
    sentPerSecond: s.sent?.perSecond,
    errors: requests ? Number((failed / requests).toFixed(4)) : 0,
    doubleSpends: s.doubleSpendsAccepted,
    p50: e.p50Ms,
    p95: e.p95Ms,
    p99: e.p99Ms,
    endpoints: s.endpoints,
    server,
    cpu,
  };
}

const CPU_COLUMNS = [
  'vendor',
  'otherVendors',
  'broker',
  'redemption',
  'nats',
  'redis',
  'gen',
  'other',
  'machine',
];

function table(rows) {
  const f = (n) => (n === undefined || n === null ? '-' : String(n));
  const head =
    'scenario        rate  achieved    p50    p95    p99  err%   drop   late |' +
    ' CPU % (100 = one core): vendor vendors2,3 broker redemption nats redis vegeta other machine';
  const lines = [head];
  for (const r of rows) {
    const c = r.cpu ?? {};
    lines.push(
      `${r.scenario.padEnd(14)}${String(r.rate).padStart(6)}${String(r.achieved).padStart(10)}` +
        `${f(r.p50).padStart(7)}${f(r.p95).padStart(7)}${f(r.p99).padStart(7)}` +
        `${(r.errors === undefined ? '-' : (r.errors * 100).toFixed(2)).padStart(6)}${f(r.dropped).padStart(7)}${f(r.late).padStart(7)} | ` +
        CPU_COLUMNS.map((k) => f(c[k])).join(' '),
    );
    // Other endpoints of the run (hand-offs, replays, registrations): their own latencies.
    for (const [name, e] of Object.entries(r.endpoints ?? {})) {
      if (name === r.endpoint || !e.requests) continue;
      lines.push(
        `${''.padEnd(14)}  ${name}: ${e.requests} requests, p50 ${e.p50Ms} p95 ${e.p95Ms} p99 ${e.p99Ms} ms, ` +
          `failed ${((e.failedRate ?? 0) * 100).toFixed(2)}%`,
      );
    }
    if (r.server) {
      const pc = (x) => `${(x * 100).toFixed(1)}%`;
      lines.push(
        `${''.padEnd(14)}  vendor-side (its own histogram, ${r.server.requests} answers): ≤1 ms ${pc(r.server.within1ms)}, ` +
          `≤5 ms ${pc(r.server.within5ms)}, ≤10 ms ${pc(r.server.within10ms)}, ≤25 ms ${pc(r.server.within25ms)}`,
      );
    }
    // CPU time per achieved operation, in µs: what each process pays for one spend (or request).
    if (r.achieved > 0) {
      const per = CPU_COLUMNS.filter((k) => k !== 'other' && k !== 'machine' && c[k] !== undefined)
        .map((k) => `${k} ${Math.round((c[k] * 1e4) / r.achieved)}`)
        .join(', ');
      lines.push(`${''.padEnd(14)}  CPU µs per operation: ${per}`);
    }
  }
  return lines.join('\n');
}

async function main() {
  const runs = args.runs.split(',').map((r) => {
    const [name, rate] = r.trim().split('@');
    return { name, rate: Number(rate) };
  });
  vegeta = findVegeta();
  if (!vegeta) throw new Error('no vegeta (see above)');
  const rows = [];
  let stack;
  try {
    stack = await startStack(runId, Number(args['port-base']), servers);
    for (const { name, rate } of runs) {
      rows.push(await runOne(stack, name, rate));
      console.log(`\n${table(rows)}\n`);
    }
  } finally {
    if (stack) {
      await stack.supervisor.stopAll();
      await dropRunData(stack.options);
    }
    if (servers.NETPAY_STACK_DIR) {
      stackScript('down', servers);
      rmSync(servers.NETPAY_STACK_DIR, { recursive: true, force: true });
    }
    mkdirSync(dirname(args.out), { recursive: true });
    const machine = { cpus: spawnSync('nproc').stdout.toString().trim(), node: process.version };
    writeFileSync(args.out, JSON.stringify({ at: new Date().toISOString(), machine, args, rows }, null, 2));
    say(`rows: ${args.out}`);
  }
}

async function dropRunData(o) {
  const { connect } = await import('@nats-io/transport-node');
  const { jetstreamManager } = await import('@nats-io/jetstream');
  const { Redis } = await import('ioredis');
  const nc = await connect({ servers: o.natsUrl, ...natsRoleIdentity('setup') });
  try {
    const jsm = await jetstreamManager(nc);
    for await (const info of jsm.streams.list()) {
      const name = info.config.name;
      if (name === o.streamName || name.startsWith(`${o.streamName}_`)) await jsm.streams.delete(name);
    }
  } finally {
    await nc.close();
  }
  const redis = new Redis(o.redisUrl);
  for await (const keys of redis.scanStream({ match: `${o.redisKeyPrefix}*`, count: 1000 })) {
    if (keys.length) await redis.unlink(...keys);
  }
  await redis.quit();
}

if (!existsSync(join(root, 'dist/apps/demo/src/local-stack.js'))) {
  console.error('perf: run `npm run build` first');
  process.exit(2);
}
main().catch((error) => {
  console.error(`perf: ${error.stack ?? error}`);
  process.exit(1);
});
