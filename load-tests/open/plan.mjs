// The requests of an open-model run, computed before it starts: vegeta sends precomputed targets
// at a constant rate and cannot look at an answer before the next request, so every payment is
// decided here from the seeded data — which chain, which position, which vendor, which replay.
//
// The scenario's shape comes from the same plans as the k6 scripts (lib/plans.js): each of its
// constant-arrival-rate executors becomes a stream of requests at its rate, and the streams are
// merged by their due time into one list that vegeta sends at the summed rate, in order. A
// ramping executor (issuance's bursts, spike) becomes a stream whose due times follow its rate
// (the integral of k6's piecewise-linear stages); vegeta, which sends at one constant rate, then
// runs it as a series of one-second steps (`segments`), each at that second's rate. Executors the
// harness has no request for (mixed-day's wallet views) stay k6's only.
//
// Each payword is shown once (replays excepted, which are the point). A chain is spent by one
// request at a time: the chains of a stream are taken in turn, so the same chain comes back only
// every CHAIN_GAP (default 1 s) of the run — far longer than an answer takes below saturation.
// Past saturation, when answers take longer than that, two spends of one chain can overtake
// each other and the later position is refused: those refusals show under their code.
import { randomUUID } from 'node:crypto';
import { MAX_PRICE, PLANS, planScenarios, seconds, WARM_UP } from '../lib/plans.js';

/** Chains (or server-side wallets) per seeded bundle: one customer buys this many. */
export const CHAINS_PER_BUNDLE = 20;

const round3 = (n) => Math.round(n * 1000) / 1000;

/** A small deterministic PRNG (mulberry32): the same SEED plans the same run. */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The scenario's constant-rate streams: { name, exec, rate, seconds, count, env }. */
/** The k6 functions (`exec`) whose requests planRun computes. */
const PLANNED = new Set(['clientSpend', 'serverDebit', 'issue', 'noop']);

export function streamsOf(name, o) {
  const plan = PLANS[name];
  if (!plan) throw new Error(`unknown load scenario "${name}"`);
  const out = [];
  for (const [key, e] of Object.entries(planScenarios(name, o))) {
    if (key === WARM_UP) continue;
    if (!PLANNED.has(e.exec)) {
      throw new Error(
        `${name}: the open-model harness has no request for its "${key}" executor (${e.exec}) — run ` +
          `this scenario with k6 (npm run load -- ${name}, k6 on PATH)`,
      );
    }
    if (e.executor === 'ramping-arrival-rate') {
      const dues = rampDues(e);
      const secs = e.stages.reduce((t, stage) => t + seconds(stage.duration), 0);
      const peakRate = Math.max(e.startRate, ...e.stages.map((stage) => stage.target));
      out.push({
        name: key,
        exec: e.exec,
        rate: dues.length / secs,
        peakRate,
        seconds: secs,
        count: dues.length,
        dues,
        env: e.env,
      });
      continue;
    }
    if (e.executor !== 'constant-arrival-rate') {
      throw new Error(
        `${name}: its "${key}" executor (${e.executor}) has no open-model form — run this scenario ` +
          `with k6 (npm run load -- ${name}, k6 on PATH)`,
      );
    }
    const secs = seconds(e.duration);
    out.push({
      name: key,
      exec: e.exec,
      rate: e.rate,
      seconds: secs,
      count: Math.round(e.rate * secs),
      env: e.env,
    });
  }
  return out;
}

/**
 * The due times (s) of a ramping-arrival-rate executor: the rate goes linearly from the previous
 * stage's target to this one's over the stage (k6's semantics), and the n-th request is due when
 * the integral of the rate reaches n. Stepped by the millisecond: exact enough, and cheap.
 */
export function rampDues(executor) {
  const dues = [];
  let rate = executor.startRate;
  let t = 0;
  let integral = 0;
  const STEP = 0.001;
  for (const stage of executor.stages) {
    const length = seconds(stage.duration);
    const steps = Math.round(length / STEP);
    for (let k = 0; k < steps; k++) {
      // the rate in the middle of this millisecond
      const r = rate + ((stage.target - rate) * (k + 0.5)) / steps;
      const next = integral + r * STEP;
      while (dues.length < next - 1e-9) {
        dues.push(round3(t + (k + (dues.length - integral) / (next - integral)) * STEP));
      }
      integral = next;
    }
    t += length;
    rate = stage.target;
  }
  return dues;
}

/**
 * Constant-rate pieces of the measured phase, for a generator that sends at one rate: the whole
 * phase when every stream is constant (as vegeta sends it: the summed rate, in due order), else
 * one piece per second of the run, consecutive seconds with as many requests merged.
 */
function segmentsOf(requests, streams, runSeconds) {
  if (!streams.some((st) => st.dues)) {
    return [{ start: 0, seconds: runSeconds, from: 0, count: requests.length }];
  }
  const perSecond = new Array(Math.ceil(runSeconds)).fill(0);
  for (const r of requests) perSecond[Math.min(perSecond.length - 1, Math.floor(r.due))]++;
  const segments = [];
  let from = 0;
  perSecond.forEach((count, second) => {
    const last = segments.at(-1);
    if (last && last.count / last.seconds === count) {
      last.seconds++;
      last.count += count;
    } else segments.push({ start: second, seconds: 1, from, count });
    from += count;
  });
  return segments.filter((segment) => segment.count > 0);
}

const gapOf = (o) => Math.max(0.1, seconds(String(o.CHAIN_GAP ?? '1s')));

/** How many chains / wallets a stream takes in turn. */
function slots(stream, o) {
  return Math.max(2, Math.ceil((stream.peakRate ?? stream.rate) * gapOf(o)));
}

/**
 * What the seeder must prepare for an open-model run (arguments of load-seed.js): bundles of
 * CHAINS_PER_BUNDLE chains each, every chain with coins for its turns (+ the warm-up's first
 * spend) at the dearest price, and a server-side wallet per bundle when the scenario debits.
 */
export function openModelNeeds(name, o) {
  const streams = streamsOf(name, o);
  let chains = 0;
  let chainCoins = 1;
  let wallets = 0;
  let serverCoins = 0;
  for (const st of streams) {
    if (st.exec === 'clientSpend') {
      const n = slots(st, o);
      chains += n;
      chainCoins = Math.max(chainCoins, (Math.ceil(st.count / n) + 2) * MAX_PRICE);
    } else if (st.exec === 'serverDebit') {
      const n = slots(st, o);
      wallets += n;
      serverCoins = Math.max(serverCoins, (Math.ceil(st.count / n) + 2) * MAX_PRICE);
    } else if (st.exec === 'issue') {
      // purchases are made with the customers of server-side wallets
      wallets = Math.max(wallets, 2);
      serverCoins = Math.max(serverCoins, MAX_PRICE);
    }
  }
  const perBundle = chains > 0 ? Math.min(CHAINS_PER_BUNDLE, chains) : 0;
  const vus = Math.max(1, perBundle ? Math.ceil(chains / perBundle) : 0, wallets);
  return { vus, chains, chainCoins, clientCoins: perBundle * chainCoins, serverCoins };
}

const hdr = (headers) => Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]]));
const json = (o) => Buffer.from(JSON.stringify(o)).toString('base64');
const hex = (random, bytes) =>
  Array.from({ length: bytes }, () =>
    Math.floor(random() * 256)
      .toString(16)
      .padStart(2, '0'),
  ).join('');

/**
 * Plans the run: { warmUp: { rate, requests }, measured: { rate, seconds, planned, requests } },
 * each request { due (s), target (vegeta's JSON target), expect (what its answer must be) }.
 * Every request's URL ends in `#<index>` (not sent: the fragment stays on the client) so that a
 * result finds its expectation.
 */
export function planRun(name, o, { bundles, meta }, { seed = Number(o.SEED ?? 1) } = {}) {
  const random = prng(seed);
  const pick = (items) => items[Math.floor(random() * items.length)];
  const shops = meta.shops;
  const shopById = (id) => {
    const shop = shops.find((s) => s.id === id);
    if (!shop)
      throw new Error(`no vendor "${id}" in the seeded shops (${shops.map((s) => s.id).join(', ')})`);
    return shop;
  };
  const streams = streamsOf(name, o);
  // As in the k6 plans: a warm-up only when the scenario spends client-side.
  const warmSeconds = streams.some((st) => st.exec === 'clientSpend') ? seconds(String(o.WARMUP ?? '0s')) : 0;
  const chains = bundles.flatMap((b) => b.clientChains);
  const wallets = bundles.filter((b) => b.serverWallet).map((b) => b.serverWallet);
  const measured = [];
  const warm = [];
  let chainFrom = 0;
  let walletFrom = 0;

  const paid = (shop, item, headers, expect, due) => ({
    due,
    target: { method: 'GET', url: `${shop.url}${shop.path}/${item}`, header: hdr(headers) },
    expect: { ...expect, vendorId: shop.id, item, coins: shop.price },
  });
  const moveOn = (state, env) => {
    const hop = Number(env.HOP ?? o.HOP ?? 0);
    if (shops.length > 1 && random() < hop)
      state.favourite = pick(shops.filter((s) => s.id !== state.favourite.id));
    return state.favourite;
  };

  for (const st of streams) {
    const env = st.env ?? {};
    const dueOf = (i) => (st.dues ? st.dues[i] : i / st.rate);
    if (st.exec === 'clientSpend') {
      const n = slots(st, o);
      const mine = chains.slice(chainFrom, chainFrom + n);
      chainFrom += n;
      if (mine.length < n)
        throw new Error(`the seed has ${chains.length} chains; the plan needs ${chainFrom}`);
      const vendor = env.VENDOR || o.VENDOR;
      const state = mine.map((chain, k) => ({
        chain,
        next: 1,
        holder: undefined,
        favourite: vendor ? shopById(vendor) : shops[k % shops.length],
      }));
      const spend = (c, shop, endpoint, due) => {
        const position = c.next + shop.price - 1;
        if (position > c.chain.length) return undefined;
        const payword = c.chain.paywords[position - 1];
        const headers = {
          'X-NetPay-Payment': `${c.chain.chainId}.${position}.${payword}`,
          'X-NetPay-Touchstone': c.chain.touchstone,
        };
        c.next = position + 1;
        const request = paid(
          shop,
          pick(shop.items),
          headers,
          { endpoint, chainId: c.chain.chainId, position },
          due,
        );
        request.headers = headers;
        c.holder = shop.id;
        return request;
      };
      if (warmSeconds > 0) for (const c of state) warm.push(spend(c, c.favourite, 'warm-up', 0));
      const replayShare = shops.length > 1 ? Number(env.REPLAY ?? o.REPLAY ?? 0) : 0;
      for (let i = 0; i < st.count; i++) {
        const c = state[i % n];
        const shop = moveOn(c, env);
        const handOff = c.holder !== undefined && c.holder !== shop.id;
        const due = dueOf(i);
        const request = spend(c, shop, handOff ? 'spend-handoff' : 'spend', due);
        if (!request) {
          measured.push({ due, expect: { endpoint: 'data-exhausted' } });
          continue;
        }
        measured.push(request);
        // A replay: the same payword at another vendor, once the original has been answered.
        const replayDue = due + gapOf(o) / 2;
        if (random() < replayShare && replayDue < st.seconds) {
          const other = pick(shops.filter((s) => s.id !== shop.id));
          const replay = paid(
            other,
            pick(other.items),
            request.headers,
            { endpoint: 'replay', original: request, coins: 0 },
            replayDue,
          );
          measured.push(replay);
        }
      }
    } else if (st.exec === 'serverDebit') {
      const n = slots(st, o);
      const mine = wallets.slice(walletFrom, walletFrom + n);
      walletFrom += n;
      if (mine.length < n)
        throw new Error(`the seed has ${wallets.length} server-side wallets; the plan needs ${walletFrom}`);
      const vendor = env.VENDOR || o.VENDOR;
      const state = mine.map((wallet, k) => ({
        wallet,
        left: wallet.coins,
        holder: undefined,
        favourite: vendor ? shopById(vendor) : shops[k % shops.length],
      }));
      for (let i = 0; i < st.count; i++) {
        const w = state[i % n];
        const shop = moveOn(w, env);
        const due = dueOf(i);
        if (w.left < shop.price) {
          measured.push({ due, expect: { endpoint: 'data-exhausted' } });
          continue;
        }
        const handOff = w.holder !== undefined && w.holder !== shop.id;
        const headers = { 'X-NetPay-Checkout': w.wallet.checkout[shop.id], 'Idempotency-Key': randomUUID() };
        measured.push(
          paid(shop, pick(shop.items), headers, { endpoint: handOff ? 'debit-handoff' : 'debit' }, due),
        );
        w.left -= shop.price;
        w.holder = shop.id;
      }
    } else if (st.exec === 'issue') {
      if (wallets.length === 0) throw new Error('issuance needs seeded customers (server-side wallets)');
      const coins = Number(o.PURCHASE_COINS ?? 100);
      // Registrations and purchases in turn; purchases by the seeded customers.
      for (let i = 0; i < st.count; i++) {
        const due = dueOf(i);
        const bundle = bundles[i % bundles.length];
        const key = { 'Content-Type': 'application/json', 'Idempotency-Key': randomUUID() };
        if (i % 2 === 0) {
          measured.push({
            due,
            target: {
              method: 'POST',
              url: `${meta.brokerUrl}/customers`,
              header: hdr(key),
              body: json({
                name: `load_${meta.runId}_open_${st.name}_${i}`,
                bankAccount: bundle.bankAccount,
                bankMandate: bundle.bankMandate,
              }),
            },
            expect: { endpoint: 'register' },
          });
        } else {
          const wallet = random() < 0.2 ? 'server' : 'client';
          const body = { coins, coinValue: meta.coinValue, currency: meta.currency, wallet };
          if (wallet === 'client') body.walletNonce = hex(random, 32);
          measured.push({
            due,
            target: {
              method: 'POST',
              url: `${meta.brokerUrl}/purchases`,
              header: hdr({ ...key, Authorization: `Bearer ${wallets[i % wallets.length].customerToken}` }),
              body: json(body),
            },
            expect: { endpoint: 'purchase', coins, wallet },
          });
        }
      }
    } else if (st.exec === 'noop') {
      const vendor = env.VENDOR || o.VENDOR || 'newspaper';
      const base = o.VENDOR_URL ? String(o.VENDOR_URL).replace(/\/$/, '') : shopById(vendor).url;
      for (let i = 0; i < st.count; i++) {
        const id = `n${i % 100}`;
        measured.push({
          due: dueOf(i),
          target: { method: 'GET', url: `${base}/noop/${id}` },
          expect: { endpoint: 'noop', id },
        });
      }
    } else {
      throw new Error(`${name}: the open-model harness does not run "${st.exec}" (k6 only)`);
    }
  }

  // One list in due order (stable: a replay after its original when due at the same time).
  measured.sort((a, b) => a.due - b.due);
  const runSeconds = Math.max(...streams.map((st) => st.seconds));
  const sendable = measured.filter((r) => r.target);
  const index = (list) => list.forEach((r, i) => (r.target.url = `${r.target.url.replace(/#.*$/, '')}#${i}`));
  index(warm);
  index(sendable);
  for (const r of [...warm, ...sendable]) delete r.headers;
  return {
    warmUp: {
      seconds: warmSeconds > 0 ? warmSeconds : 0,
      rate: warm.length ? Math.max(1, Math.ceil(warm.length / warmSeconds)) : 0,
      requests: warm,
    },
    measured: {
      seconds: runSeconds,
      rate: round3(sendable.length / runSeconds),
      planned: sendable.length,
      dataExhausted: measured.length - sendable.length,
      requests: sendable,
      segments: segmentsOf(sendable, streams, runSeconds),
    },
  };
}

/**
 * When a result of a segmented phase was due (ms from the phase's start): its segment's start plus
 * its place in the segment at the segment's rate. The request's index (in its URL) finds the segment.
 */
export function segmentSchedule(segments) {
  return (index, seq) => {
    const segment = segments.find((s) => index >= s.from && index < s.from + s.count) ?? segments[0];
    return segment.start * 1000 + (seq / (segment.count / segment.seconds)) * 1000;
  };
}

/** vegeta's JSON targets, one a line. */
export function targetLines(requests) {
  return requests.map((r) => JSON.stringify(r.target)).join('\n') + (requests.length ? '\n' : '');
}
