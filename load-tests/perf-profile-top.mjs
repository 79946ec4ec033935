// node load-tests/perf-profile-top.mjs FILE.cpuprofile [N]
// The N (default 30) functions with the most self time in a V8 CPU profile, and the share of
// time under some hot-path groups (by script URL), so a run can be compared with the next.
import { readFileSync } from 'node:fs';

const [file, top = '30'] = process.argv.slice(2);
if (!file) {
  console.error('usage: node load-tests/perf-profile-top.mjs FILE.cpuprofile [N]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const dt = new Map();
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i];
  dt.set(id, (dt.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
}
const total = [...dt.values()].reduce((a, b) => a + b, 0);
const self = new Map();
for (const [id, us] of dt) {
  const f = byId.get(id).callFrame;
  const where = f.url ? `${f.url.replace(/^.*\/(node_modules|dist)\//, '$1/')}:${f.lineNumber + 1}` : '';
  const key = `${f.functionName || '(anonymous)'} ${where}`;
  self.set(key, (self.get(key) ?? 0) + us);
}
const pct = (us) => `${((us / total) * 100).toFixed(1).padStart(5)}%`;
console.log(`${file}: ${(total / 1e6).toFixed(1)} s sampled\n\nself time:`);
for (const [key, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(top))) {
  console.log(`${pct(us)}  ${key}`);
}

// Inclusive time of groups: a sample counts once for every group on its stack.
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const GROUPS = {
  'idle / program / GC': (f) => ['(idle)', '(program)', '(garbage collector)'].includes(f.functionName),
  nestjs: (f) => f.url.includes('@nestjs/'),
  fastify: (f) =>
    f.url.includes('/fastify/') || f.url.includes('find-my-way') || f.url.includes('light-my-request'),
  'nats client': (f) => f.url.includes('@nats-io/'),
  ioredis: (f) => f.url.includes('ioredis'),
  'event-store lib': (f) => f.url.includes('libs/event-store/'),
  'vendor app': (f) => f.url.includes('apps/vendor/'),
  'protocol lib': (f) => f.url.includes('libs/protocol/'),
  'chain lib': (f) => f.url.includes('libs/chain/'),
  'platform lib': (f) => f.url.includes('libs/platform/'),
  'class-validator/transformer': (f) =>
    f.url.includes('class-validator') || f.url.includes('class-transformer'),
};
const groups = Object.fromEntries(Object.keys(GROUPS).map((g) => [g, 0]));
for (const [id, us] of dt) {
  const hit = new Set();
  for (let at = id; at !== undefined; at = parent.get(at)) {
    const f = byId.get(at).callFrame;
    for (const [g, test] of Object.entries(GROUPS)) if (test(f)) hit.add(g);
  }
  for (const g of hit) groups[g] += us;
}
console.log('\ninclusive time by group:');
for (const [g, us] of Object.entries(groups)) console.log(`${pct(us)}  ${g}`);
