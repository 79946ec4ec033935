// The summary of an open-model run, from vegeta's results (`vegeta encode --to json`, one JSON
// object a line: seq, code, timestamp, latency in ns, error, body in base64, url, headers) and
// the plan's expectations. Same shape as the k6 scripts' summary (lib/summary.js), so that the
// text table, perf-sweep and the CI test read either; plus what vegeta alone tells: the rate it
// achieved, the requests it sent late or never sent.
import { LATENCY_LIMITS } from '../lib/thresholds.js';

const round = (n, digits = 1) =>
  typeof n === 'number' && Number.isFinite(n) ? Number(n.toFixed(digits)) : null;

/** The q-quantile (0..1) of sorted numbers, nearest rank. */
export function quantile(sorted, q) {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

function headerOf(headers, name) {
  if (!headers) return undefined;
  const wanted = name.toLowerCase();
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() === wanted) return Array.isArray(headers[key]) ? headers[key][0] : headers[key];
  }
  return undefined;
}

function bodyOf(result) {
  if (!result.body) return undefined;
  try {
    return JSON.parse(Buffer.from(result.body, 'base64').toString('utf8'));
  } catch {
    return undefined;
  }
}

function receiptOf(result) {
  const raw = headerOf(result.headers, 'X-NetPay-Receipt');
  if (!raw) return undefined;
  try {
    return JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

/** The stable code of a refusal (problem+json `code`), `HTTP.<status>`, or the transport error. */
export function codeOf(result, body = bodyOf(result)) {
  if (result.code === 0) return `NET.${(result.error || 'no answer').replace(/^.*: /, '').slice(0, 60)}`;
  return body && typeof body.code === 'string' ? body.code : `HTTP.${result.code}`;
}

const SALES = new Set(['warm-up', 'spend', 'spend-handoff', 'debit', 'debit-handoff']);
/** Refusals of a chain's spend that mean its spends arrived out of order, not a wrong payment. */
const OUT_OF_ORDER = new Set(['SPEND.PAYWORD_SKIPPED', 'SPEND.PAYWORD_REPLAYED', 'CHAIN.CONTENDED']);

/**
 * The checks of one answer, as the k6 scripts make them (lib/checks.js): { ok, accepted }.
 * `accepted`: a vendor took the payment (for replays: a double spend when the original was too).
 */
export function judge(expect, result) {
  const body = bodyOf(result);
  if (SALES.has(expect.endpoint)) {
    const receiptId = headerOf(result.headers, 'X-NetPay-Receipt-Id');
    const receipt = result.code === 200 ? receiptOf(result) : undefined;
    const receiptOk =
      result.code === 200 &&
      typeof receiptId === 'string' &&
      receiptId.startsWith('rc_') &&
      !!receipt &&
      receipt.receiptId === receiptId &&
      receipt.vendorId === expect.vendorId &&
      typeof receipt.signature === 'string' &&
      (expect.chainId === undefined ||
        (receipt.chainId === expect.chainId && receipt.toIndex === expect.position));
    const contentOk =
      !!body &&
      !!body.item &&
      body.item.id === expect.item &&
      typeof body.item.body === 'string' &&
      body.receiptId === receiptId;
    return { ok: receiptOk && contentOk, accepted: result.code === 200, body };
  }
  if (expect.endpoint === 'replay') {
    const refused =
      result.code === 409 &&
      codeOf(result, body) === 'SPEND.PAYWORD_REPLAYED' &&
      !headerOf(result.headers, 'X-NetPay-Receipt-Id');
    return { ok: refused, accepted: result.code >= 200 && result.code < 300, refusedAsReplay: refused, body };
  }
  if (expect.endpoint === 'register') {
    const ok =
      result.code === 201 &&
      !!body &&
      /^cus_/.test(body.customerId) &&
      typeof body.token === 'string' &&
      body.token.startsWith('npc.');
    return { ok, accepted: ok, body };
  }
  if (expect.endpoint === 'purchase') {
    const ok =
      result.code === 201 &&
      !!body &&
      body.status === 'completed' &&
      body.coins === expect.coins &&
      body.wallet === expect.wallet;
    return { ok, accepted: ok, body };
  }
  if (expect.endpoint === 'noop') {
    const ok = result.code === 200 && !!body && body.id === expect.id;
    return { ok, accepted: ok, body };
  }
  return { ok: result.code >= 200 && result.code < 300, accepted: false, body };
}

/** Index of the planned request a result answers (the `#<index>` fragment of its URL). */
function indexOf(result) {
  const hash = typeof result.url === 'string' ? result.url.lastIndexOf('#') : -1;
  return hash < 0 ? -1 : Number(result.url.slice(hash + 1));
}

/**
 * Folds one phase's results into per-endpoint figures. `requests` is the phase's plan; `rate`
 * what was offered (requests/s). Answers { endpoints, outcomes, sent, late, … }.
 */
export function foldPhase(requests, results, { rate, lateMs = 50, scheduleMs }) {
  // When each result was due, ms from the phase's start: by default vegeta's sequence number at
  // the one rate of the attack; a segmented phase (a ramp) passes its own.
  const dueMs = scheduleMs ?? ((index, seq) => (seq / rate) * 1000);
  const endpoints = {};
  const outcomes = new Array(requests.length);
  const sendTimes = [];
  let late = 0;
  let lateWorst = 0;
  let first;
  for (const r of results) {
    if (r.seq !== undefined && (first === undefined || r.seq < first.seq)) first = r;
  }
  const began = first ? Date.parse(first.timestamp) - dueMs(indexOf(first), first.seq) : 0;
  for (const result of results) {
    const i = indexOf(result);
    const planned = requests[i];
    if (!planned) continue; // vegeta's "no targets" record at the end of the list
    const { body, ...verdict } = judge(planned.expect, result);
    const e = (endpoints[planned.expect.endpoint] ??= { latencies: [], errors: 0, codes: {} });
    e.latencies.push(result.latency / 1e6);
    if (!verdict.ok) {
      e.errors++;
      verdict.code = codeOf(result, body);
      e.codes[verdict.code] = (e.codes[verdict.code] ?? 0) + 1;
    }
    outcomes[i] = verdict;
    const at = Date.parse(result.timestamp);
    sendTimes.push(at);
    const behind = at - (began + dueMs(i, result.seq));
    if (behind > lateMs) late++;
    lateWorst = Math.max(lateWorst, behind);
  }
  const out = {};
  for (const [name, e] of Object.entries(endpoints)) {
    const sorted = e.latencies.sort((a, b) => a - b);
    out[name] = {
      requests: sorted.length,
      errors: e.errors,
      failedRate: round(e.errors / sorted.length, 4),
      avgMs: round(sorted.reduce((a, b) => a + b, 0) / sorted.length),
      p50Ms: round(quantile(sorted, 0.5)),
      p95Ms: round(quantile(sorted, 0.95)),
      p99Ms: round(quantile(sorted, 0.99)),
      maxMs: round(sorted.at(-1)),
      codes: e.codes,
    };
  }
  sendTimes.sort((a, b) => a - b);
  const sent = sendTimes.length;
  const span = sent > 1 ? (sendTimes.at(-1) - sendTimes[0]) / 1000 + 1 / rate : sent / rate;
  return {
    endpoints: out,
    outcomes,
    sent,
    notSent: requests.length - sent,
    late,
    lateWorstMs: round(lateWorst),
    sentPerSecond: round(span > 0 ? sent / span : 0, 2),
  };
}

/** Thresholds as the k6 scripts set them (lib/thresholds.js), evaluated on the figures. */
function thresholdsOf(summary, endpointNames, env, kind) {
  const maxErrorRate = Number(env.MAX_ERROR_RATE || 0.01);
  const limit = (k, endpoint, fallback) => {
    const raw = env[`${k}_${endpoint.toUpperCase().replace(/-/g, '_')}`];
    return raw !== undefined && raw !== '' ? Number(raw) : fallback;
  };
  const out = [
    { metric: 'double_spends_accepted', threshold: 'count==0', ok: summary.doubleSpendsAccepted === 0 },
    { metric: 'data_exhausted', threshold: 'count==0', ok: summary.dataExhausted === 0 },
    {
      metric: 'checks',
      threshold: `rate>=${1 - maxErrorRate}`,
      ok: summary.checksRate === null || summary.checksRate >= 1 - maxErrorRate,
    },
  ];
  if (kind === 'spends')
    out.push({ metric: 'spends_accepted', threshold: 'count>0', ok: summary.spends.accepted > 0 });
  if (kind === 'purchases')
    out.push({ metric: 'purchases_completed', threshold: 'count>0', ok: summary.purchases > 0 });
  if (kind === 'requests')
    out.push({ metric: 'http_reqs', threshold: 'count>0', ok: summary.httpRequests > 0 });
  for (const name of endpointNames) {
    const e = summary.endpoints[name];
    if (!e) continue;
    const [p95, p99] = LATENCY_LIMITS[name] || [1000, 2000];
    const l95 = limit('P95', name, p95);
    const l99 = limit('P99', name, p99);
    out.push({ metric: `http_req_duration{endpoint:${name}}`, threshold: `p(95)<${l95}`, ok: e.p95Ms < l95 });
    out.push({ metric: `http_req_duration{endpoint:${name}}`, threshold: `p(99)<${l99}`, ok: e.p99Ms < l99 });
    out.push({
      metric: `http_req_failed{endpoint:${name}}`,
      threshold: `rate<${maxErrorRate}`,
      ok: e.failedRate < maxErrorRate,
    });
  }
  return out;
}

/**
 * The run's summary. `plan` is planRun's answer; `warmUp` / `measured` are foldPhase's answers
 * (warmUp undefined without a warm-up); `kind`: what must be > 0 (spends, purchases, requests).
 */
export function openModelSummary({
  scenario,
  settings,
  plan,
  warmUp,
  measured,
  env = {},
  kind = 'spends',
  generator,
}) {
  const seconds = plan.measured.seconds;
  let accepted = 0;
  let handOffs = 0;
  let coins = 0;
  let outOfOrder = 0;
  let purchases = 0;
  let doubleSpends = 0;
  let replaysRefused = 0;
  let refusals = 0;
  let checks = 0;
  let fails = 0;
  const outcomeOf = new Map(plan.measured.requests.map((r, i) => [r, measured.outcomes[i]]));
  plan.measured.requests.forEach((r, i) => {
    const v = measured.outcomes[i];
    if (!v) return;
    checks++;
    if (!v.ok) fails++;
    const endpoint = r.expect.endpoint;
    if (SALES.has(endpoint)) {
      if (r.expect.chainId && !v.ok && OUT_OF_ORDER.has(v.code)) outOfOrder++;
      if (v.accepted) {
        accepted++;
        coins += r.expect.coins ?? 0;
        if (endpoint.endsWith('-handoff')) handOffs++;
      } else refusals++;
    } else if (endpoint === 'replay') {
      const original = outcomeOf.get(r.expect.original);
      if (v.accepted && original?.accepted) doubleSpends++;
      else if (v.refusedAsReplay) replaysRefused++;
      else refusals++;
    } else if (endpoint === 'purchase') {
      if (v.accepted) purchases++;
      else refusals++;
    } else if (!v.ok) refusals++;
  });
  const summary = {
    scenario,
    settings,
    generator,
    ok: false,
    durationSeconds: seconds,
    warmUp: {
      seconds: plan.warmUp.seconds,
      spends: warmUp ? warmUp.outcomes.filter((v) => v?.accepted).length : 0,
    },
    offered: { rate: plan.measured.rate, requests: plan.measured.planned },
    sent: {
      requests: measured.sent,
      perSecond: measured.sentPerSecond,
      notSent: measured.notSent,
      late: measured.late,
      lateWorstMs: measured.lateWorstMs,
    },
    // Spends of a chain refused because another spend of the same chain overtook them (or a
    // refused one left a gap): past saturation, when answers take longer than CHAIN_GAP.
    outOfOrder,
    spends: { accepted, perSecond: round(accepted / seconds, 2), handOffs, coins },
    doubleSpendsAccepted: doubleSpends,
    replaysRefused,
    purchases,
    refusals,
    dataExhausted: plan.measured.dataExhausted,
    droppedIterations: measured.notSent,
    httpRequests: measured.sent,
    checksRate: checks ? round(1 - fails / checks, 4) : null,
    checks: [
      { name: 'answers as expected (status, receipt, content, refusal code)', passes: checks - fails, fails },
    ],
    endpoints: { ...(warmUp ? warmUp.endpoints : {}), ...measured.endpoints },
  };
  const names = Object.keys(summary.endpoints);
  summary.thresholds = thresholdsOf(summary, names, env, kind);
  summary.ok = summary.thresholds.every((t) => t.ok);
  return summary;
}

/** The lines vegeta's figures add under the k6-shaped text table. */
export function generatorLines(s) {
  const lines = [
    `  generator ${s.generator?.name ?? 'vegeta'} ${s.generator?.version ?? ''}: offered ${s.offered.rate}/s ` +
      `(${s.offered.requests} requests), sent ${s.sent.requests} at ${s.sent.perSecond}/s, ` +
      `not sent ${s.sent.notSent}, late (>50 ms behind schedule) ${s.sent.late}, worst ${s.sent.lateWorstMs} ms behind`,
  ];
  if (s.outOfOrder > 0) {
    lines.push(
      `  ${s.outOfOrder} spends refused out of order (a chain's spends overtook each other: answers slower than CHAIN_GAP, past saturation)`,
    );
  }
  for (const [name, e] of Object.entries(s.endpoints)) {
    if (Object.keys(e.codes ?? {}).length === 0) continue;
    const codes = Object.entries(e.codes)
      .sort((a, b) => b[1] - a[1])
      .map(([c, n]) => `${c} ×${n}`)
      .join(', ');
    lines.push(`  ${name} errors: ${codes}`);
  }
  return lines.join('\n');
}
