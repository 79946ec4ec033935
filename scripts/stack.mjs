// Starts (or finds) the real services NetPay needs on this machine: NATS with
// JetStream and Redis. `up` starts a server only when nothing answers on its
// port, waits until it answers, and says exactly what to install when a
// binary is missing. `down` stops only what `up` started.
//
// NATS runs with authorization (scripts/nats-auth.mjs): every role has an identity of its
// own, and the identities are written to .stack/nats-auth.json for the scripts, the demo and
// the tests. A NATS that answers on the port without our identities (the machine's own, or
// another checkout's) is left alone: ours starts on NETPAY_NATS_PORT (default 4223) or the
// next free port after it, and .stack/nats-auth.json says where.
//
// NATS durability: with nats-server 2.10+ the script uses
// deploy/nats/nats-server-fsync.conf (fsync before every publish ack); 2.9
// cannot do that and gets deploy/nats/nats-server.conf. NETPAY_NATS_BUILD=1
// builds a pinned 2.10+ server with `go install` into .stack/bin and uses it.
// NETPAY_NATS_SYNC=periodic gives any server the periodic fsync (for measurements).
// NETPAY_NATS_PROF_PORT=N opens nats-server's Go profiler on 127.0.0.1:N (for measurements:
// `go tool pprof -top http://127.0.0.1:N/debug/pprof/profile?seconds=10`).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { devOptions, generate } from './nats-auth.mjs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const stateDir = process.env.NETPAY_STACK_DIR ?? join(root, '.stack');

const NATS_PINNED = 'v2.11.15';
const natsBin = join(stateDir, 'bin', 'nats-server');

const natsUrl = new URL(process.env.NATS_URL ?? 'nats://127.0.0.1:4222');
const natsAuthDir = join(stateDir, 'nats');
const natsAuthFile = join(stateDir, 'nats-auth.json');
const redisUrl = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
// Redis by role (deploy/README.md): one Redis (the cache config) serves both roles locally —
// development data is disposable, and a Redis already answering on :6379 is used as it is. Set
// REDIS_DURABLE_URL and the stack starts a second one there from the durable config (append-only
// file, noeviction), and the demo points the broker and the redemption worker at it.
const redisDurableUrl = process.env.REDIS_DURABLE_URL ? new URL(process.env.REDIS_DURABLE_URL) : undefined;
const redisProbe = (socket, done) => {
  socket.once('data', (buf) => done(buf.toString().startsWith('+PONG')));
  socket.write('PING\r\n');
};
const redisInstall =
  'redis-server was not found on PATH. Install it with `apt-get install redis-server` (Debian/Ubuntu),\n' +
  '  or point REDIS_SERVER_BIN at a redis-server binary, or REDIS_URL at a running Redis.';

const services = [
  {
    name: 'nats',
    host: natsUrl.hostname,
    port: Number(natsUrl.port || 4222),
    binary: process.env.NATS_SERVER_BIN ?? (process.env.NETPAY_NATS_BUILD === '1' ? natsBin : 'nats-server'),
    prepare: (s) => (process.env.NETPAY_NATS_BUILD === '1' ? buildNats(s.binary) : true),
    args: (s) => ['-c', natsServerConfig(s.binary), '-a', s.host, '-p', String(s.port)],
    install:
      'nats-server was not found on PATH. Install it with `apt-get install nats-server` (Debian/Ubuntu),\n' +
      '  or build it with Go: `go install github.com/nats-io/nats-server/v2@latest` and put $(go env GOPATH)/bin on PATH,\n' +
      '  or point NATS_SERVER_BIN at a nats-server binary, or NATS_URL at a running server with JetStream.',
    // Ours: it asks for credentials and takes the setup identity's (a NATS without auth is not ours).
    probe: (socket, done) => {
      const setup = natsCredentials().setup;
      let seen = '';
      let connected = false;
      socket.on('data', (buf) => {
        seen += buf.toString();
        if (!seen.startsWith('INFO ')) return done(false);
        if (!connected && seen.includes('\r\n')) {
          if (!seen.includes('"auth_required":true')) return done(false);
          connected = true;
          const connectLine = JSON.stringify({ user: setup.user, pass: setup.password, verbose: false });
          socket.write(`CONNECT ${connectLine}\r\nPING\r\n`);
        }
        if (seen.includes('PONG')) done(true);
        else if (seen.includes('-ERR')) done(false);
      });
    },
  },
  {
    name: 'redis',
    host: redisUrl.hostname,
    port: Number(redisUrl.port || 6379),
    binary: process.env.REDIS_SERVER_BIN ?? 'redis-server',
    args: (s) => [
      join(root, 'deploy/redis/redis-cache.conf'),
      '--bind',
      s.host,
      '--port',
      String(s.port),
      '--dir',
      stateDir,
    ],
    install: redisInstall,
    probe: redisProbe,
  },
  ...(redisDurableUrl
    ? [
        {
          name: 'redis-durable',
          host: redisDurableUrl.hostname,
          port: Number(redisDurableUrl.port || 6379),
          binary: process.env.REDIS_SERVER_BIN ?? 'redis-server',
          args: (s) => {
            const dir = join(stateDir, 'redis-durable');
            mkdirSync(dir, { recursive: true });
            return [
              join(root, 'deploy/redis/redis-durable.conf'),
              '--bind',
              s.host,
              '--port',
              String(s.port),
              '--dir',
              dir,
            ];
          },
          install: redisInstall,
          probe: redisProbe,
        },
      ]
    : []),
];

/** `[major, minor, patch]` of a nats-server binary, or undefined when it does not run. */
function natsVersion(binary) {
  const out = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  const match = /v(\d+)\.(\d+)\.(\d+)/.exec(out.stdout ?? '');
  return match ? match.slice(1, 4).map(Number) : undefined;
}

function natsConfigFor(binary) {
  // NETPAY_NATS_SYNC=periodic: 2.10+ with the periodic fsync of 2.9's file (to measure what the
  // fsync before each acknowledgement costs, docs/performance.md).
  if (process.env.NETPAY_NATS_SYNC === 'periodic') {
    console.log('stack: NETPAY_NATS_SYNC=periodic: files fsynced every 60 s (deploy/nats/nats-server.conf)');
    return 'deploy/nats/nats-server.conf';
  }
  const [major, minor] = natsVersion(binary) ?? [0, 0];
  if (major > 2 || (major === 2 && minor >= 10)) {
    console.log(
      'stack: nats-server 2.10+: fsync before every publish ack (deploy/nats/nats-server-fsync.conf)',
    );
    return 'deploy/nats/nats-server-fsync.conf';
  }
  console.log(
    'stack: nats-server 2.9: acknowledged events survive a server crash, not an OS crash or power loss\n' +
      '  (files are fsynced every 60 s). NETPAY_NATS_BUILD=1 builds a 2.10+ server that fsyncs before each ack.',
  );
  return 'deploy/nats/nats-server.conf';
}

/** Builds the pinned nats-server into .stack/bin with Go (once; about a minute with a cold module cache). */
function buildNats(binary) {
  const version = natsVersion(binary);
  if (version && `v${version.join('.')}` === NATS_PINNED) return true;
  if (!onPath('go')) {
    console.error('stack: NETPAY_NATS_BUILD=1 needs Go on PATH (https://go.dev/dl/) to build nats-server');
    return false;
  }
  console.log(`stack: building nats-server ${NATS_PINNED} into ${dirname(natsBin)} (go install)…`);
  const built = spawnSync('go', ['install', `github.com/nats-io/nats-server/v2@${NATS_PINNED}`], {
    stdio: 'inherit',
    env: { ...process.env, GOBIN: dirname(natsBin) },
  });
  return built.status === 0 && existsSync(natsBin);
}

// NATS's answer takes a CONNECT round trip with the setup identity: slower on a busy machine. A
// probe that times out is tried again (up to three times): on a starved machine one silent probe
// made `up` take our own running server for absent and start a second one on its port.
async function answers(service, timeoutMs = service.name === 'nats' ? 3000 : 500) {
  for (let attempt = 1; ; attempt++) {
    const answer = await probeOnce(service, timeoutMs);
    if (answer !== 'timeout') return answer;
    if (attempt === 3) return false;
  }
}

/** `true` (ours answers), `false` (nothing listens, or not ours) or `'timeout'`. */
function probeOnce(service, timeoutMs) {
  return new Promise((resolveAnswer) => {
    const socket = connect({ host: service.host, port: service.port });
    const finish = (ok) => {
      socket.destroy();
      resolveAnswer(ok);
    };
    socket.setTimeout(timeoutMs, () => finish('timeout'));
    socket.once('error', () => finish(false));
    socket.once('connect', () => service.probe(socket, finish));
  });
}

function onPath(binary) {
  if (binary.includes('/')) return existsSync(binary);
  return spawnSync('sh', ['-c', `command -v ${binary}`], { stdio: 'ignore' }).status === 0;
}

function listening(service) {
  return new Promise((resolveAnswer) => {
    const socket = connect({ host: service.host, port: service.port });
    // A connect that is neither accepted nor refused in 2 s: a starved machine, not a free port.
    socket.setTimeout(2000, () => (socket.destroy(), resolveAnswer(true)));
    socket.once('error', () => resolveAnswer(false));
    socket.once('connect', () => (socket.destroy(), resolveAnswer(true)));
  });
}

/** The generated identities (role → user, password, inbox prefix); created on first use. */
let credentials;
function natsCredentials() {
  credentials ??= generate(devOptions(natsAuthDir)).credentials;
  return credentials;
}

/** The nats-server config of the local stack: ours (deploy/nats) plus the generated authorization. */
function natsServerConfig(binary) {
  const file = join(natsAuthDir, 'nats-server.conf');
  const base = readFileSync(join(root, natsConfigFor(binary)), 'utf8');
  // The store directory in the file, not on the command line: a reload (SIGHUP) must see the same.
  const store = `jetstream {\n  store_dir: ${JSON.stringify(join(stateDir, 'nats-data'))}`;
  // NETPAY_NATS_PROF_PORT: the server's pprof endpoint (CPU profiles of a load run), on loopback only.
  const prof = process.env.NETPAY_NATS_PROF_PORT;
  if (prof !== undefined && !/^\d{4,5}$/.test(prof))
    throw new Error(`NETPAY_NATS_PROF_PORT: a port, not ${prof}`);
  const profiling = prof ? `\nprof_port: ${prof}\n` : '';
  writeFileSync(file, `${base.replace('jetstream {', store)}${profiling}\ninclude ./auth.conf\n`, {
    mode: 0o600,
  });
  return file;
}

/**
 * NATS: ours on the configured port, else (a NATS without our identities answers there) on
 * NETPAY_NATS_PORT (default 4223) or one of the next ports. NATS_URL set: that port or nothing.
 */
async function upNats(service) {
  natsCredentials();
  const fixed = process.env.NATS_URL !== undefined;
  const base = Number(process.env.NETPAY_NATS_PORT ?? 4223);
  const ports = fixed ? [service.port] : [service.port, ...Array.from({ length: 10 }, (_, i) => base + i)];
  for (const port of ports) {
    service.port = port;
    if (await answers(service)) reloadOurNats();
    else if (await listening(service)) {
      console.log(
        `stack: the NATS on ${service.host}:${port} is not ours (no NetPay identities: another NATS, or another checkout's)`,
      );
      if (fixed) {
        console.error(
          'stack: NATS_URL names it; unset NATS_URL or point it at a free port (or set NETPAY_NATS_PORT)',
        );
        return false;
      }
      continue;
    }
    if (!(await up(service))) return false;
    const url = `nats://${service.host}:${port}`;
    writeFileSync(natsAuthFile, `${JSON.stringify({ url, identities: natsCredentials() }, null, 2)}\n`, {
      mode: 0o600,
    });
    console.log(`stack: NATS identities for ${url} in ${natsAuthFile}`);
    return setupStreams(url);
  }
  console.error(`stack: no free port for NATS in ${ports.join(', ')}; set NETPAY_NATS_PORT to a free one`);
  return false;
}

/** Our server re-reads its configuration (new roles or rights after an update) on SIGHUP. */
function reloadOurNats() {
  const pidFile = join(stateDir, 'nats.pid');
  if (!existsSync(pidFile)) return;
  try {
    process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGHUP');
  } catch {
    // not ours any more (the pid file outlived it)
  }
}

/** Creates or updates the default event streams with the setup identity (scripts/setup-streams.mjs). */
function setupStreams(url) {
  if (!existsSync(join(root, 'dist/libs/event-store/src/index.js'))) {
    console.log('stack: not built yet, streams not set up (npm run build, then npm run setup)');
    return true;
  }
  const setup = spawnSync(process.execPath, [join(root, 'scripts/setup-streams.mjs')], {
    stdio: 'inherit',
    env: { ...process.env, NATS_URL: url, NETPAY_NATS_AUTH_FILE: natsAuthFile },
  });
  return setup.status === 0;
}

async function up(service) {
  if (await answers(service)) {
    console.log(`stack: ${service.name} answers on ${service.host}:${service.port} (using it)`);
    return true;
  }
  if (service.prepare && !service.prepare(service)) return false;
  if (!onPath(service.binary)) {
    console.error(
      `stack: ${service.name} is not running on ${service.host}:${service.port} and ${service.install}`,
    );
    return false;
  }
  mkdirSync(stateDir, { recursive: true });
  const log = openSync(join(stateDir, `${service.name}.log`), 'a');
  const child = spawn(service.binary, service.args(service), { detached: true, stdio: ['ignore', log, log] });
  child.unref();
  let exited = false;
  child.once('exit', () => (exited = true));
  writeFileSync(join(stateDir, `${service.name}.pid`), String(child.pid));
  for (let i = 0; i < 100; i++) {
    if (exited) {
      // It could not start (its port taken, say): never claim, or later stop, a server it is not.
      rmSync(join(stateDir, `${service.name}.pid`), { force: true });
      console.error(`stack: ${service.name} exited at start; see ${join(stateDir, `${service.name}.log`)}`);
      return false;
    }
    if (await answers(service)) {
      // A server that cannot bind exits at once; then what answered was already running.
      await new Promise((r) => setTimeout(r, 200));
      if (exited) {
        rmSync(join(stateDir, `${service.name}.pid`), { force: true });
        console.log(`stack: ${service.name} answers on ${service.host}:${service.port} (using it)`);
        return true;
      }
      console.log(`stack: started ${service.name} (pid ${child.pid}) on ${service.host}:${service.port}`);
      return true;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  console.error(
    `stack: ${service.name} did not answer within 10 s; see ${join(stateDir, `${service.name}.log`)}`,
  );
  return false;
}

function down() {
  if (!existsSync(stateDir)) return;
  for (const file of readdirSync(stateDir).filter((f) => f.endsWith('.pid'))) {
    const pid = Number(readFileSync(join(stateDir, file), 'utf8'));
    try {
      process.kill(pid, 'SIGTERM');
      console.log(`stack: stopped ${file.replace('.pid', '')} (pid ${pid})`);
    } catch {
      // already gone
    }
    rmSync(join(stateDir, file));
  }
}

/**
 * The variables this script reads itself (declared in StackConfig too, which lists them in the
 * README): every bad one named at once, as the services' ConfigError does, before anything starts.
 */
function checkVariables(env = process.env) {
  const problems = [];
  const port = (name, highest) => {
    const value = env[name];
    if (value === undefined || value === '') return;
    if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > highest)
      problems.push(`  - ${name}: expected a port from 1 to ${highest}, got ${JSON.stringify(value)}`);
  };
  const oneOf = (name, allowed) => {
    const value = env[name];
    if (value !== undefined && value !== '' && !allowed.includes(value))
      problems.push(`  - ${name}: must be one of ${allowed.join(', ')} (got ${JSON.stringify(value)})`);
  };
  port('NETPAY_NATS_PORT', 65526); // it and the next nine are tried
  port('NETPAY_NATS_PROF_PORT', 65535);
  oneOf('NETPAY_NATS_BUILD', ['0', '1']);
  oneOf('NETPAY_NATS_SYNC', ['periodic']);
  if (problems.length === 0) return true;
  console.error(`Invalid configuration (stack), ${problems.length} problem(s):\n${problems.join('\n')}`);
  return false;
}

const command = process.argv[2];
if (command === 'up' && !checkVariables()) {
  process.exit(1);
} else if (command === 'up') {
  const results = [];
  for (const s of services) results.push(await (s.name === 'nats' ? upNats(s) : up(s)));
  process.exit(results.every(Boolean) ? 0 : 1);
} else if (command === 'down') {
  down();
} else {
  console.error('usage: node scripts/stack.mjs up|down');
  process.exit(2);
}
