// Runs one scenario's precomputed requests (plan.mjs) through vegeta against a seeded stack:
// the warm-up first (each chain's first spend, not measured), then the measured phase at the
// scenario's constant rate; folds vegeta's results into the summary (report.mjs) and writes it.
// scripts/load.mjs calls it after seeding when run with --vegeta.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { textSummary } from '../lib/summary.js';
import { planRun, segmentSchedule, streamsOf, targetLines } from './plan.mjs';
import { foldPhase, generatorLines, openModelSummary } from './report.mjs';
import { versionOf } from './vegeta.mjs';
import { PLANS, planScenarios, settings, WARM_UP } from '../lib/plans.js';

function exitOf(child) {
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

/**
 * vegeta's `attack` arguments. `count` requests go out evenly over `seconds`; or, with `rate`
 * (requests/s), at that pace, `seconds` then only bounding the attack (the warm-up's bound has
 * slack for slow answers, and must not slow its pace: 2,100 first spends at 210/s once went out
 * at 52/s over 40 s). Requests per window, so a fractional rate stays exact (61 in 10,000 ms;
 * 6.1/s as 6,100 per 1,000 s).
 */
export function attackArgs({ targets, out, count, rate, seconds, maxWorkers, name }) {
  const perMs = Math.max(1, Math.round(seconds * 1000));
  const pace = rate === undefined ? `${count}/${perMs}ms` : `${Math.max(1, Math.round(rate * 1000))}/1000s`;
  return [
    'attack',
    '-lazy',
    '-format=json',
    `-targets=${targets}`,
    `-rate=${pace}`,
    `-duration=${perMs}ms`,
    `-max-workers=${maxWorkers}`,
    `-workers=${Math.min(maxWorkers, 50)}`,
    '-timeout=30s',
    '-http2=false',
    `-name=${name}`,
    `-output=${out}`,
  ];
}

/**
 * One vegeta attack over `requests` (see `attackArgs` for `rate` and `seconds`), results written
 * (gob) to `out` while it runs, decoded afterwards: JSON encoding would take CPU from the stack
 * being measured. Answers the decoded results.
 */
export async function attack(
  vegeta,
  { requests, count = requests?.length, rate, seconds, maxWorkers, dir, name },
) {
  const targets = join(dir, `${name}.targets.json`);
  const out = join(dir, `${name}.results.bin`);
  // without `requests`, the targets were written before (a segment's: see attackSegments)
  if (requests) writeFileSync(targets, targetLines(requests));
  const args = attackArgs({ targets, out, count, rate, seconds, maxWorkers, name });
  const code = await exitOf(spawn(vegeta, args, { stdio: ['ignore', 'inherit', 'inherit'] }));
  if (code !== 0) throw new Error(`vegeta attack exited ${code}`);
  const decoder = spawn(vegeta, ['encode', '--to', 'json', out], { stdio: ['ignore', 'pipe', 'inherit'] });
  const done = exitOf(decoder);
  const results = [];
  for await (const line of createInterface({ input: decoder.stdout })) {
    if (line.trim()) results.push(JSON.parse(line));
  }
  if ((await done) !== 0) throw new Error('vegeta encode failed');
  return results;
}

/**
 * The measured phase: one attack when its rate is constant; else one attack per constant-rate
 * segment, each started at its second of the run (not after the one before has drained, which
 * would stretch the run by the slowest answers), with its own results file.
 */
async function attackSegments(vegeta, requests, segments, { maxWorkers, dir }) {
  if (segments.length === 1) {
    const [only] = segments;
    return attack(vegeta, {
      requests,
      seconds: only.seconds,
      maxWorkers,
      dir,
      name: 'measured',
    });
  }
  // Every segment's targets on disk first: at its second, only vegeta has to start.
  segments.forEach((segment, k) =>
    writeFileSync(
      join(dir, `measured-${k}.targets.json`),
      targetLines(requests.slice(segment.from, segment.from + segment.count)),
    ),
  );
  const t0 = performance.now() + 200;
  const parts = await Promise.all(
    segments.map(async (segment, k) => {
      await new Promise((resolve) =>
        setTimeout(resolve, Math.max(0, t0 + segment.start * 1000 - performance.now())),
      );
      return attack(vegeta, {
        count: segment.count,
        seconds: segment.seconds,
        maxWorkers,
        dir,
        name: `measured-${k}`,
      });
    }),
  );
  // vegeta numbers each attack's requests from 0: the segment is found by the request's index
  return parts.flat();
}

/** What must be > 0 for the run to count (as the k6 thresholds: spends, or purchases, or requests). */
function kindOf(name, o) {
  const execs = streamsOf(name, o).map((st) => st.exec);
  if (execs.includes('clientSpend') || execs.includes('serverDebit')) return 'spends';
  if (execs.includes('issue')) return 'purchases';
  return 'requests';
}

/** Sends the scenario's requests; writes `summaryFile`; answers the exit code (99: a threshold crossed). */
export async function runOpenModel(
  vegeta,
  { name, o, dir, summaryFile, env = process.env, say = console.log },
) {
  const bundles = JSON.parse(readFileSync(join(dir, 'data.json'), 'utf8'));
  const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8'));
  const plan = planRun(name, o, { bundles, meta });
  const executors = Object.entries(planScenarios(name, o)).filter(([k]) => k !== WARM_UP);
  const maxWorkers = Math.max(
    1,
    executors.reduce((n, [, e]) => n + (e.maxVUs ?? 0), 0),
  );
  const version = versionOf(vegeta) ?? 'unknown';
  let warm;
  if (plan.warmUp.requests.length) {
    say(
      `vegeta: warm-up, ${plan.warmUp.requests.length} first spends at ${plan.warmUp.rate}/s (not measured)…`,
    );
    const results = await attack(vegeta, {
      requests: plan.warmUp.requests,
      rate: plan.warmUp.rate,
      // every chain's first spend, however long it takes: the measured phase needs them all
      seconds: plan.warmUp.requests.length / plan.warmUp.rate + 30,
      maxWorkers,
      dir,
      name: 'warm-up',
    });
    warm = foldPhase(plan.warmUp.requests, results, { rate: plan.warmUp.rate });
  }
  say(
    `vegeta: ${plan.measured.planned} requests at ${plan.measured.rate}/s for ${plan.measured.seconds} s ` +
      `(at most ${maxWorkers} in flight)…`,
  );
  const { segments } = plan.measured;
  const results = await attackSegments(vegeta, plan.measured.requests, segments, { maxWorkers, dir });
  const measured = foldPhase(plan.measured.requests, results, {
    rate: plan.measured.rate,
    scheduleMs: segments.length > 1 ? segmentSchedule(segments) : undefined,
  });
  const summary = openModelSummary({
    scenario: name,
    settings: o,
    plan,
    warmUp: warm,
    measured,
    env,
    kind: kindOf(name, o),
    generator: { name: 'vegeta', version, licence: 'MIT' },
  });
  console.log(`${textSummary(summary)}${generatorLines(summary)}\n`);
  writeFileSync(summaryFile, JSON.stringify(summary, null, 2));
  return summary.ok ? 0 : 99;
}

/** Scenarios the open-model harness runs (constant and ramping arrival rates). */
export function openModelScenarios() {
  return Object.keys(PLANS).filter((name) => {
    try {
      streamsOf(name, settings(name, {}));
      return true;
    } catch {
      return false;
    }
  });
}
