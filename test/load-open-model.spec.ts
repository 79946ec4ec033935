import { describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

// The open-model harness (load-tests/open): the precomputed requests vegeta sends, and the
// summary folded from vegeta's results. Plain JS modules, typed here for the test.

interface Target {
  readonly method: string;
  readonly url: string;
  readonly header?: Record<string, string[]>;
  readonly body?: string;
}
interface Expect {
  readonly endpoint: string;
  readonly vendorId?: string;
  readonly chainId?: string;
  readonly position?: number;
  readonly item?: string;
  readonly original?: Planned;
}
interface Planned {
  readonly due: number;
  readonly target: Target;
  readonly expect: Expect;
}
interface RunPlan {
  readonly warmUp: { seconds: number; rate: number; requests: Planned[] };
  readonly measured: {
    seconds: number;
    rate: number;
    planned: number;
    dataExhausted: number;
    requests: Planned[];
    segments: Segment[];
  };
}
interface Segment {
  readonly start: number;
  readonly seconds: number;
  readonly from: number;
  readonly count: number;
}
type Settings = Record<string, string | number>;
interface Shop {
  id: string;
  url: string;
  path: string;
  items: string[];
  price: number;
}
interface Needs {
  vus: number;
  chains: number;
  chainCoins: number;
  clientCoins: number;
  serverCoins: number;
}
interface Result {
  seq: number;
  code: number;
  timestamp: string;
  latency: number;
  error: string;
  url: string;
  body?: string;
  headers?: Record<string, string[]>;
}
interface Phase {
  readonly sent: number;
  readonly notSent: number;
  readonly late: number;
  readonly endpoints: Record<
    string,
    { requests: number; errors: number; p50Ms: number; p99Ms: number; codes: Record<string, number> }
  >;
}
interface Summary {
  readonly ok: boolean;
  readonly doubleSpendsAccepted: number;
  readonly replaysRefused: number;
  readonly spends: { accepted: number; handOffs: number };
  readonly droppedIterations: number;
  readonly thresholds: { metric: string; threshold: string; ok: boolean }[];
}

const load = async <T>(path: string): Promise<T> =>
  (await import(pathToFileURL(join(process.cwd(), path)).href)) as T;
const { settings, expectedIterations, planScenarios } = await load<{
  settings: (name: string, env: Record<string, string>) => Settings;
  expectedIterations: (executor: unknown) => number;
  planScenarios: (name: string, o: Settings) => Record<string, unknown>;
}>('load-tests/lib/plans.js');
const { planRun, openModelNeeds, streamsOf, segmentSchedule } = await load<{
  planRun: (
    name: string,
    o: Settings,
    data: { bundles: unknown[]; meta: unknown },
    opts?: { seed?: number },
  ) => RunPlan;
  openModelNeeds: (name: string, o: Settings) => Needs;
  streamsOf: (name: string, o: Settings) => unknown[];
  segmentSchedule: (segments: Segment[]) => (index: number, seq: number) => number;
}>('load-tests/open/plan.mjs');
const { foldPhase, openModelSummary } = await load<{
  foldPhase: (
    requests: Planned[],
    results: Result[],
    o: { rate: number; scheduleMs?: (index: number, seq: number) => number },
  ) => Phase;
  openModelSummary: (o: {
    scenario: string;
    settings: Settings;
    plan: RunPlan;
    warmUp?: Phase;
    measured: Phase;
  }) => Summary;
}>('load-tests/open/report.mjs');

const { attackArgs } = await load<{
  attackArgs: (o: {
    targets: string;
    out: string;
    count: number;
    rate?: number;
    seconds: number;
    maxWorkers: number;
    name: string;
  }) => string[];
}>('load-tests/open/run.mjs');

const shops: Shop[] = [
  { id: 'newspaper', url: 'http://127.0.0.1:3101', path: '/articles', items: ['a1', 'a2'], price: 2 },
  { id: 'cards', url: 'http://127.0.0.1:3102', path: '/cards', items: ['c1'], price: 5 },
  { id: 'music', url: 'http://127.0.0.1:3103', path: '/tracks', items: ['t1'], price: 1 },
];
const meta = { runId: 'r1', brokerUrl: 'http://127.0.0.1:3000', currency: 'NZD', coinValue: 1, shops };

/** Bundles as load-seed.js writes them, sized as the harness asks. */
function seeded(needs: Needs): unknown[] {
  let chainNo = 0;
  return Array.from({ length: needs.vus }, (_, v) => {
    const clientChains = [];
    for (let left = needs.clientCoins; left > 0; left -= needs.chainCoins) {
      const length = Math.min(left, needs.chainCoins);
      const chainId = `ch_${chainNo++}`;
      clientChains.push({
        chainId,
        touchstone: `t_${chainId}`,
        length,
        paywords: Array.from({ length }, (_, i) => `${chainId}_w${i + 1}`),
      });
    }
    const serverWallet =
      needs.serverCoins > 0
        ? {
            customerToken: `npc.${v}`,
            coins: needs.serverCoins,
            checkout: Object.fromEntries(shops.map((s) => [s.id, `co_${v}_${s.id}`])),
          }
        : undefined;
    return { vu: v + 1, bankAccount: `acct_${v}`, clientChains, serverWallet };
  });
}

function planOf(name: string, env: Record<string, string>): RunPlan {
  const o = settings(name, env);
  return planRun(name, o, { bundles: seeded(openModelNeeds(name, o)), meta });
}

const paymentOf = (r: Planned): string | undefined => r.target.header?.['X-NetPay-Payment']?.[0];

describe('open-model plan: the precomputed payments', () => {
  const plan = planOf('smoke', { RATE: '20', DURATION: '10s', HOP: '0.3', REPLAY: '0.2' });
  const all = [...plan.warmUp.requests, ...plan.measured.requests];

  it('shows each payword once, replays apart, and each replay only after its original, elsewhere', () => {
    const shown = all.filter((r) => r.expect.endpoint !== 'replay' && paymentOf(r)).map(paymentOf);
    expect(shown.length).toBeGreaterThan(200);
    expect(new Set(shown).size).toBe(shown.length);
    const replays = plan.measured.requests.filter((r) => r.expect.endpoint === 'replay');
    expect(replays.length).toBeGreaterThan(10);
    for (const replay of replays) {
      const original = replay.expect.original!;
      expect(paymentOf(replay)).toBe(paymentOf(original));
      expect(replay.expect.vendorId).not.toBe(original.expect.vendorId);
      expect(plan.measured.requests.indexOf(replay)).toBeGreaterThan(
        plan.measured.requests.indexOf(original),
      );
      expect(replay.due).toBeGreaterThan(original.due);
    }
  });

  it('spends a chain in order, one position after the other, a turn (CHAIN_GAP, 1 s) apart', () => {
    const byChain = new Map<string, Planned[]>();
    for (const r of all) {
      if (r.expect.endpoint === 'replay' || !r.expect.chainId) continue;
      byChain.set(r.expect.chainId, [...(byChain.get(r.expect.chainId) ?? []), r]);
    }
    expect(byChain.size).toBeGreaterThan(1);
    for (const spends of byChain.values()) {
      const shopOf = (r: Planned): Shop => shops.find((s) => s.id === r.expect.vendorId)!;
      // the warm-up's first spend at position = price, then each spend moves on by its price
      expect(spends[0]!.expect.endpoint).toBe('warm-up');
      expect(spends[0]!.expect.position).toBe(shopOf(spends[0]!).price);
      for (let i = 1; i < spends.length; i++) {
        expect(spends[i]!.expect.position).toBe(spends[i - 1]!.expect.position! + shopOf(spends[i]!).price);
        if (i > 1) expect(spends[i]!.due - spends[i - 1]!.due).toBeGreaterThanOrEqual(0.999);
      }
    }
  });

  it('is sized by the seed it asks for: nothing runs out, and the rate is the scenario’s', () => {
    expect(plan.measured.dataExhausted).toBe(0);
    const kinds = new Set(plan.measured.requests.map((r) => r.expect.endpoint));
    for (const k of ['spend', 'spend-handoff', 'replay', 'debit', 'register', 'purchase'])
      expect(kinds).toContain(k);
    // spends 20/s + debits 4/s + issuance 1/s for 10 s, plus the replays
    const replays = plan.measured.requests.filter((r) => r.expect.endpoint === 'replay').length;
    expect(plan.measured.planned).toBe(250 + replays);
    expect(plan.measured.rate).toBeCloseTo((250 + replays) / 10, 2);
    // every request finds its expectation by the fragment of its URL (not sent to the server)
    plan.measured.requests.forEach((r, i) => expect(r.target.url.endsWith(`#${i}`)).toBe(true));
  });

  it('is the same plan for the same SEED, and a debit carries a fresh Idempotency-Key', () => {
    const again = planOf('smoke', { RATE: '20', DURATION: '10s', HOP: '0.3', REPLAY: '0.2' });
    expect(again.measured.requests.map((r) => r.target.url)).toEqual(
      plan.measured.requests.map((r) => r.target.url),
    );
    const keys = plan.measured.requests
      .filter((r) => r.expect.endpoint.startsWith('debit'))
      .map((r) => r.target.header!['Idempotency-Key']![0]);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('refuses a scenario with requests it does not make (mixed-day’s wallet views), naming k6', () => {
    expect(() => streamsOf('mixed-day', settings('mixed-day', {}))).toThrow(/walletView.*k6/s);
  });
});

describe('open-model plan: a ramping scenario (issuance’s bursts)', () => {
  const env = { RATE: '100', BASE_RATE: '2', BURSTS: '1', BURST: '10s', CALM: '10s' };
  const plan = planOf('issuance', env);
  const requests = plan.measured.requests;
  const perSecond = new Array<number>(30).fill(0);
  for (const r of requests) perSecond[Math.floor(r.due)]! += 1;

  it('follows the rate k6 would offer: the burst at RATE, the calm at BASE_RATE, ramps between', () => {
    // 5 s up to 100/s, 10 s at 100/s, 5 s down to 2/s, 10 s at 2/s
    expect(perSecond.slice(5, 15)).toEqual(new Array(10).fill(100));
    expect(perSecond.slice(20, 30)).toEqual(new Array(10).fill(2));
    for (let second = 1; second < 5; second++)
      expect(perSecond[second]).toBeGreaterThan(perSecond[second - 1]!);
    for (let second = 16; second < 20; second++)
      expect(perSecond[second]).toBeLessThan(perSecond[second - 1]!);
    const k6 = expectedIterations(planScenarios('issuance', settings('issuance', env)).issuance);
    expect(Math.abs(plan.measured.planned - k6)).toBeLessThanOrEqual(1);
    expect(plan.measured.seconds).toBe(30);
    const kinds = requests.map((r) => r.expect.endpoint);
    expect(kinds.filter((k) => k === 'register').length).toBe(Math.ceil(requests.length / 2));
    expect(kinds.filter((k) => k === 'purchase').length).toBe(Math.floor(requests.length / 2));
  });

  it('is cut into constant-rate segments that cover every request once, in order', () => {
    const { segments } = plan.measured;
    let next = 0;
    for (const segment of segments) {
      expect(segment.from).toBe(next);
      next += segment.count;
      const inside = requests.slice(segment.from, segment.from + segment.count);
      for (const r of inside) {
        expect(r.due).toBeGreaterThanOrEqual(segment.start);
        expect(r.due).toBeLessThan(segment.start + segment.seconds);
      }
      // constant within the segment: each of its seconds has the same count
      for (let second = segment.start; second < segment.start + segment.seconds; second++)
        expect(perSecond[second]).toBe(segment.count / segment.seconds);
    }
    expect(next).toBe(requests.length);
    expect(segments.find((s) => s.start === 5)).toMatchObject({ seconds: 10, count: 1000 });
    // a constant-rate scenario is one segment: vegeta sends it at one rate, as before
    const steady = planOf('steady-spend', { RATE: '10', DURATION: '2s', REPLAY: '0', WARMUP: '0s' });
    expect(steady.measured.segments).toEqual([{ start: 0, seconds: 2, from: 0, count: 20 }]);
  });

  it('counts a request late by its own segment’s schedule, not by one rate for the whole run', () => {
    const { segments } = plan.measured;
    const schedule = segmentSchedule(segments);
    const t0 = Date.parse('2026-12-01T00:00:00Z');
    // each segment's attack numbers its requests from 0, and sends them at the segment's rate
    const onTime: Result[] = segments.flatMap((segment) =>
      requests.slice(segment.from, segment.from + segment.count).map((r, seq) => ({
        seq,
        code: 201,
        timestamp: new Date(t0 + schedule(segment.from + seq, seq)).toISOString(),
        latency: 1e6,
        error: '',
        url: r.target.url,
      })),
    );
    const folded = foldPhase(requests, onTime, { rate: plan.measured.rate, scheduleMs: schedule });
    expect(folded.sent).toBe(requests.length);
    expect(folded.late).toBe(0);
    // the same results judged at one average rate would be hundreds late
    expect(foldPhase(requests, onTime, { rate: plan.measured.rate }).late).toBeGreaterThan(100);
    const delayed = onTime.map((r, i) =>
      i === 1500 ? { ...r, timestamp: new Date(Date.parse(r.timestamp) + 200).toISOString() } : r,
    );
    expect(foldPhase(requests, delayed, { rate: plan.measured.rate, scheduleMs: schedule }).late).toBe(1);
  });
});

describe('open-model report: the summary of vegeta’s results', () => {
  const plan = planOf('steady-spend', { RATE: '10', DURATION: '2s', REPLAY: '0', WARMUP: '0s' });
  const requests = plan.measured.requests;
  const t0 = Date.parse('2026-12-01T00:00:00Z');
  const receiptFor = (r: Planned, id: string): string =>
    Buffer.from(
      JSON.stringify({
        receiptId: id,
        vendorId: r.expect.vendorId,
        chainId: r.expect.chainId,
        toIndex: r.expect.position,
        signature: 'sig',
      }),
    ).toString('base64url');
  const sale = (r: Planned, i: number, latencyMs: number): Result => ({
    seq: i,
    code: 200,
    timestamp: new Date(t0 + i * 100).toISOString(),
    latency: latencyMs * 1e6,
    error: '',
    url: r.target.url,
    headers: { 'X-Netpay-Receipt-Id': [`rc_${i}`], 'X-Netpay-Receipt': [receiptFor(r, `rc_${i}`)] },
    body: Buffer.from(
      JSON.stringify({ item: { id: r.expect.item, body: 'x' }, receiptId: `rc_${i}` }),
    ).toString('base64'),
  });

  it('checks receipts and content, and counts what vegeta never sent', () => {
    const results = requests.slice(0, 18).map((r, i) => sale(r, i, i + 1));
    // a receipt for another position is not this payment's
    results[3] = {
      ...results[3]!,
      headers: { ...results[3]!.headers, 'X-Netpay-Receipt': [receiptFor(requests[4]!, 'rc_3')] },
    };
    const measured = foldPhase(requests, results, { rate: 10 });
    expect(measured.sent).toBe(18);
    expect(measured.notSent).toBe(2);
    expect(measured.endpoints.spend).toMatchObject({ requests: 18, errors: 1, p50Ms: 9, p99Ms: 18 });
    const summary = openModelSummary({ scenario: 'steady-spend', settings: {}, plan, measured });
    expect(summary.droppedIterations).toBe(2);
    expect(summary.spends.accepted).toBe(18);
    expect(summary.ok).toBe(false); // 1 error in 18 is over the 1 % error rate
  });

  it('counts a replay accepted after its original as a double spend, and fails the run', () => {
    const smoke = planOf('smoke', { RATE: '10', DURATION: '4s', REPLAY: '0.5', WARMUP: '0s' });
    const reqs = smoke.measured.requests;
    const replays = reqs.filter((r) => r.expect.endpoint === 'replay');
    expect(replays.length).toBeGreaterThan(2);
    const results: Result[] = reqs.map((r, i) => {
      if (r.expect.endpoint !== 'replay')
        return {
          ...sale(r, i, 2),
          code: r.expect.endpoint === 'register' || r.expect.endpoint === 'purchase' ? 503 : 200,
        };
      const accepted = r === replays[0];
      return {
        seq: i,
        code: accepted ? 200 : 409,
        timestamp: new Date(t0 + i * 100).toISOString(),
        latency: 1e6,
        error: '',
        url: r.target.url,
        body: Buffer.from(JSON.stringify(accepted ? {} : { code: 'SPEND.PAYWORD_REPLAYED' })).toString(
          'base64',
        ),
      };
    });
    const summary = openModelSummary({
      scenario: 'smoke',
      settings: {},
      plan: smoke,
      measured: foldPhase(reqs, results, { rate: smoke.measured.rate }),
    });
    expect(summary.doubleSpendsAccepted).toBe(1);
    expect(summary.replaysRefused).toBe(replays.length - 1);
    expect(summary.thresholds).toContainEqual({
      metric: 'double_spends_accepted',
      threshold: 'count==0',
      ok: false,
    });
    expect(summary.ok).toBe(false);
  });
});

describe('open-model attacks: the pace vegeta is given', () => {
  const flag = (args: string[], name: string): string | undefined =>
    args.find((a) => a.startsWith(`-${name}=`))?.slice(name.length + 2);
  const common = { targets: 't.json', out: 'r.bin', maxWorkers: 300, name: 'x' };

  it('sends the warm-up at its rate, its slack only bounding the attack', () => {
    // 2,100 first spends at 210/s, 30 s of slack for slow answers: 10 s of sending, not 40.
    const args = attackArgs({ ...common, count: 2_100, rate: 210, seconds: 2_100 / 210 + 30 });
    expect(flag(args, 'rate')).toBe('210000/1000s');
    expect(flag(args, 'duration')).toBe('40000ms');
  });

  it('spreads a measured phase (or a segment) evenly over its seconds, a fractional rate exactly', () => {
    expect(flag(attackArgs({ ...common, count: 61, seconds: 10 }), 'rate')).toBe('61/10000ms');
    expect(flag(attackArgs({ ...common, count: 6.1 * 1000, rate: 6.1, seconds: 1000 }), 'rate')).toBe(
      '6100/1000s',
    );
  });
});
