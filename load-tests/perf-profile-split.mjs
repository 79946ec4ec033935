// node load-tests/perf-profile-split.mjs FILE.cpuprofile [FILE…]
// Self time of a V8 CPU profile (load-tests/perf-profiled.mjs, perf-sweep --profile) split by what
// it is spent in: logging (pino, sonic-boom, atomic-sleep, redaction, the request-log hooks, and the
// fs write natives under sonic-boom), Nest, Fastify, OpenTelemetry, Node's HTTP and net, the NATS
// client, ioredis, prom-client, the vendor app, libs/protocol, libs/event-store and GC — as shares of
// the process's non-idle time without the profiler's own. Self time, not inclusive: a Fastify hook's
// inclusive time holds every later hook and the handler.
import { readFileSync } from 'node:fs';
for (const file of process.argv.slice(2)) split(file);

function split(file) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const dt = new Map();
  for (let i = 0; i < profile.samples.length; i++)
    dt.set(profile.samples[i], (dt.get(profile.samples[i]) ?? 0) + (profile.timeDeltas[i] ?? 0));
  let busy = 0,
    log = 0,
    insp = 0;
  const groups = {
    nest: 0,
    fastify: 0,
    otel: 0,
    nodehttp: 0,
    nats: 0,
    redis: 0,
    vendor: 0,
    protocol: 0,
    eventstore: 0,
    gc: 0,
    prom: 0,
  };
  for (const [id, us] of dt) {
    const f = byId.get(id).callFrame;
    if (f.functionName === '(idle)' || f.functionName === '(program)') continue;
    busy += us;
    const u = f.url || '';
    if (u.startsWith('node:inspector')) {
      insp += us;
      continue;
    }
    let isLog =
      /node_modules\/(pino|sonic-boom|atomic-sleep|fast-redact|quick-format)/.test(u) ||
      /logging\/(redaction|netpay-logger|request-log)/.test(u);
    if (!isLog && !u) {
      const p = parent.get(id);
      const pu = p !== undefined ? byId.get(p).callFrame.url : '';
      if (/fs$/.test(pu)) {
        let x = p;
        for (let k = 0; k < 4 && x !== undefined; k++) {
          if (/sonic-boom/.test(byId.get(x).callFrame.url)) {
            isLog = true;
            break;
          }
          x = parent.get(x);
        }
      }
    }
    if (isLog) {
      log += us;
      continue;
    }
    if (f.functionName === '(garbage collector)') groups.gc += us;
    else if (/@nestjs/.test(u)) groups.nest += us;
    else if (/node_modules\/(fastify|find-my-way|@fastify|avvio|light-my-request)/.test(u))
      groups.fastify += us;
    else if (/@opentelemetry/.test(u)) groups.otel += us;
    else if (/^node:_http|^node:net|^node:internal\/(http|stream)/.test(u)) groups.nodehttp += us;
    else if (/@nats-io/.test(u)) groups.nats += us;
    else if (/ioredis|redis/.test(u)) groups.redis += us;
    else if (/prom-client/.test(u)) groups.prom += us;
    else if (/apps\/vendor/.test(u)) groups.vendor += us;
    else if (/libs\/protocol/.test(u)) groups.protocol += us;
    else if (/libs\/event-store/.test(u)) groups.eventstore += us;
  }
  const real = busy - insp;
  const pct = (x) => ((x / real) * 100).toFixed(1) + '%';
  console.log(
    `${file}: non-idle ${(busy / 1e6).toFixed(1)} s, profiler ${((insp / busy) * 100).toFixed(0)}% of it; of the rest: logging ${pct(log)}`,
    Object.entries(groups)
      .map(([k, v]) => `${k} ${pct(v)}`)
      .join(', '),
  );
}
