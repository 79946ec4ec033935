import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { call, codeOf, must } from './api.js';
import {
  brokerSpec,
  brokerUrl,
  DEMO_VENDORS,
  redemptionPublicKeys,
  redemptionSpec,
  redemptionUrl,
  vendorSpec,
  vendorUrl,
  type StackOptions,
} from './local-stack.js';
import { bankBalance, businessDay, runAudit, runNights, type AuditVerdict } from './night.js';
import { Random } from './random.js';
import { natsRoleEnv, repoRoot, stackDir } from './stack-env.js';
import { type Supervisor } from './supervisor.js';

/**
 * `npm run demo -- --network mobile`: a Mobile-NetPay day (seed 000 §5). The broker is the
 * network operator's Service Provider (BROKER_NETWORKS=web,mobile); this process plays the
 * operator's gateway (it holds OPERATOR_GATEWAY_TOKEN and says who the handset is with X-MSISDN)
 * and the subscribers' phones. Subscribers buy e-coins from the SP on prepaid or postpaid
 * accounts; the e-wallet stays server-side and moves SP → first vendor → next vendor (hand-offs
 * with the operator's grants in the subscriber token, no SP call); one prepaid subscriber runs
 * out of balance and one postpaid subscriber hits the cap of the bill, both refused cleanly;
 * a forged and a re-targeted subscriber token are refused; then the night and the audit.
 */

const SHOPS: Record<string, { path: string; items: string[]; price: number; what: string }> = {
  newspaper: { path: '/articles', items: ['a1', 'a2', 'a3'], price: 2, what: 'news' },
  greetings: { path: '/cards', items: ['birthday', 'thanks', 'congrats'], price: 3, what: 'cards' },
  music: { path: '/clips', items: ['m1', 'm2'], price: 5, what: 'clips' },
};

interface Plan {
  readonly name: string;
  readonly msisdn: string;
  readonly plan: 'prepaid' | 'postpaid';
  /** Prepaid: opening balance. Postpaid: the bill's spending cap. */
  readonly limit: number;
  /** Coins bought in each purchase, in order (5 cents each). */
  readonly buys: readonly number[];
}

/** Amounts in NZD cents. Mere and Sione are meant to be refused on their second purchase. */
const SUBSCRIBERS: readonly Plan[] = [
  { name: 'Aroha', msisdn: '+64211000001', plan: 'prepaid', limit: 2_000, buys: [200] },
  { name: 'Mere', msisdn: '+64211000002', plan: 'prepaid', limit: 600, buys: [100, 100] },
  { name: 'Tama', msisdn: '+64211000003', plan: 'postpaid', limit: 5_000, buys: [200, 100] },
  { name: 'Sione', msisdn: '+64211000004', plan: 'postpaid', limit: 1_500, buys: [200, 200] },
];
const COIN_VALUE = 5;

export interface MobileDemoOptions {
  readonly runId: string;
  readonly options: StackOptions;
  readonly spends: number;
  readonly seed: number;
  readonly storeEnv: Record<string, string>;
  readonly progress: (line: string) => void;
  readonly supervisor: Supervisor;
}

interface Refusal {
  readonly who: string;
  readonly what: string;
  readonly code: string;
  readonly reason?: string;
  readonly expected: string;
}

interface Tallies {
  sales: number;
  coins: number;
  handOffs: number;
  readonly perVendor: Map<string, { sales: number; coins: number }>;
  readonly refusals: Refusal[];
  readonly attacks: { name: string; expected: string; got: string }[];
  failures: number;
}

/** Runs the Mobile-NetPay day; answers the exit code (0 only with a clean audit and every refusal as expected). */
export async function runMobileDemo(o: MobileDemoOptions): Promise<number> {
  const { options, supervisor, progress } = o;
  const admin = options.secrets.adminToken;
  const gateway = `gw_${randomBytes(16).toString('hex')}`;
  const sp = brokerUrl(options);
  const spSpec = brokerSpec(options);
  await supervisor.start({
    ...spSpec,
    env: {
      ...spSpec.env,
      BROKER_NETWORKS: 'web,mobile',
      OPERATOR_GATEWAY_TOKEN: gateway,
      SUBSCRIBER_TOKEN_TTL: '10m',
      OPERATOR_SUBSCRIBERS: SUBSCRIBERS.map((s) => `${s.msisdn}:${s.plan}:NZD:${s.limit}`).join(','),
    },
  });
  for (const v of DEMO_VENDORS) {
    await must(`${sp}/bank/accounts`, {
      token: admin,
      body: { accountId: `vendor_${v.id}`, currency: 'NZD', balance: 0 },
    });
  }
  for (const v of DEMO_VENDORS) await supervisor.start(vendorSpec(options, v));
  const worker = redemptionSpec(options);
  await supervisor.start({ ...worker, env: { ...worker.env, REDEMPTION_SCHEDULE: 'false' } });
  progress(
    `Service Provider (broker), redemption worker and ${DEMO_VENDORS.length} vendors are up ` +
      `(logs: ${join(stackDir, 'logs', `demo-${o.runId}`)})`,
  );

  const viaGateway = (msisdn: string) => ({ token: gateway, headers: { 'x-msisdn': msisdn } });
  const t: Tallies = {
    sales: 0,
    coins: 0,
    handOffs: 0,
    perVendor: new Map(),
    refusals: [],
    attacks: [],
    failures: 0,
  };

  // 1. Subscribers buy e-coins from the SP: the operator charges the balance or the bill.
  for (const s of SUBSCRIBERS) {
    for (const [i, coins] of s.buys.entries()) {
      const key = `buy-${s.name}-${i}-${o.runId}`;
      const body = { coins, coinValue: COIN_VALUE, currency: 'NZD' };
      const answer = await call<{ reason?: string }>(`${sp}/mobile/purchases`, {
        ...viaGateway(s.msisdn),
        body,
        idempotencyKey: key,
      });
      if (answer.status === 201) {
        // The phone lost the answer and asks again: same purchase, charged once.
        const again = await call<{ purchaseId?: string }>(`${sp}/mobile/purchases`, {
          ...viaGateway(s.msisdn),
          body,
          idempotencyKey: key,
        });
        if (again.status !== 201) t.failures += 1;
        continue;
      }
      const expected = s.plan === 'prepaid' ? 'prepaid-balance-insufficient' : 'postpaid-cap-reached';
      t.refusals.push({
        who: s.name,
        what: `buy ${coins} coins (NZD ${((coins * COIN_VALUE) / 100).toFixed(2)})`,
        code: codeOf(answer) ?? String(answer.status),
        ...(answer.body?.reason ? { reason: answer.body.reason } : {}),
        expected,
      });
    }
  }
  progress(`subscribers bought coins from the SP; ${t.refusals.length} purchases refused by the operator`);

  // 2. They browse the vendors through the gateway: a subscriber token per visit, one tap per item.
  const rng = new Random(o.seed);
  const shops = DEMO_VENDORS.map((v) => ({ id: v.id, url: vendorUrl(v.port), ...SHOPS[v.id]! }));
  const last = new Map<string, string>();
  const tokens = new Map<string, string>();
  const tokenFor = async (s: Plan, vendorId: string): Promise<string> => {
    const kept = tokens.get(`${s.msisdn}/${vendorId}`);
    if (kept) return kept;
    const { subscriberToken } = await must<{ subscriberToken: string }>(
      `${sp}/mobile/vendors/${vendorId}/token`,
      { ...viaGateway(s.msisdn), method: 'POST' },
    );
    tokens.set(`${s.msisdn}/${vendorId}`, subscriberToken);
    return subscriberToken;
  };
  for (let i = 0; i < o.spends; i++) {
    const s = SUBSCRIBERS[rng.int(SUBSCRIBERS.length)]!;
    // A visit stays a few taps at one vendor, then moves on.
    const previous = last.get(s.msisdn);
    const shop =
      previous !== undefined && rng.int(3) > 0
        ? shops.find((x) => x.id === previous)!
        : shops[rng.int(shops.length)]!;
    const item = shop.items[rng.int(shop.items.length)]!;
    const answer = await call(`${shop.url}${shop.path}/${item}`, {
      headers: { 'x-netpay-checkout': await tokenFor(s, shop.id), 'idempotency-key': randomUUID() },
    });
    if (answer.status === 200) {
      t.sales += 1;
      t.coins += shop.price;
      if (previous !== undefined && previous !== shop.id) t.handOffs += 1;
      last.set(s.msisdn, shop.id);
      const v = t.perVendor.get(shop.id) ?? { sales: 0, coins: 0 };
      t.perVendor.set(shop.id, { sales: v.sales + 1, coins: v.coins + shop.price });
    } else if (answer.status >= 500 || codeOf(answer) === undefined) {
      t.failures += 1;
    } else {
      // A wallet that ran out of coins is an honest refusal (the subscriber would buy more).
      t.refusals.push({
        who: s.name,
        what: `${shop.what} at ${shop.id}`,
        code: codeOf(answer)!,
        expected: codeOf(answer)!,
      });
    }
  }
  progress(`day: ${t.sales} sales, ${t.handOffs} moves between vendors`);

  // 3. Attacks on the subscriber token: forged by another key, and one vendor's token at another.
  const aroha = SUBSCRIBERS[0]!;
  const good = await tokenFor(aroha, 'music');
  const forged = forgeSignature(good);
  const attempts: [string, string, string, string][] = [
    ['forged subscriber token (signature changed)', 'music', forged, 'SUBSCRIBER_TOKEN.INVALID'],
    ["music's subscriber token replayed at greetings", 'greetings', good, 'SUBSCRIBER_TOKEN.WRONG_VENDOR'],
  ];
  for (const [name, vendorId, token, expected] of attempts) {
    const shop = shops.find((x) => x.id === vendorId)!;
    const answer = await call(`${shop.url}${shop.path}/${shop.items[0]}`, {
      headers: { 'x-netpay-checkout': token, 'idempotency-key': randomUUID() },
    });
    t.attacks.push({ name, expected, got: codeOf(answer) ?? String(answer.status) });
  }

  // 4. The night, then the audit over everything (the operator's ledger included).
  progress('night: sealing, verifying and paying the redemption batches');
  const days = [...new Set([businessDay(new Date(), options.timeZone)])];
  const nights = await runNights(redemptionUrl(options), admin, days);
  const paid: Record<string, number> = {};
  for (const v of DEMO_VENDORS) paid[v.id] = await bankBalance(sp, admin, `vendor_${v.id}`);
  const accounts = [];
  for (const s of SUBSCRIBERS) {
    accounts.push({
      s,
      view: await must<MobileAccount>(`${sp}/mobile/account`, viaGateway(s.msisdn)),
    });
  }
  progress('audit: replaying the event store');
  const audit = await runAudit(repoRoot, {
    ...o.storeEnv,
    ...natsRoleEnv('auditor'),
    NATS_URL: o.storeEnv.NATS_URL ?? '',
    BROKER_PUBLIC_KEYS: `${options.secrets.brokerKey.keyId}:${options.secrets.brokerKey.publicKey}`,
    REDEMPTION_PUBLIC_KEYS: redemptionPublicKeys(options.secrets),
  });
  const batches = nights.reduce((n, r) => n + (r.sealed?.length ?? 0), 0);
  printMobileSummary(o, t, accounts, paid, batches, audit);

  const refusalsAsExpected =
    t.refusals.filter((r) => r.reason !== undefined).length === 2 &&
    t.refusals.every((r) => (r.reason ?? r.code) === r.expected);
  const attacksRefused = t.attacks.every((a) => a.got === a.expected);
  return audit.exitCode === 0 && refusalsAsExpected && attacksRefused && t.failures === 0 ? 0 : 1;
}

interface MobileAccount {
  readonly account: {
    readonly plan: 'prepaid' | 'postpaid';
    readonly balance?: number;
    readonly bill?: { readonly charged: number; readonly spendingCap: number };
    readonly charged: number;
  };
  readonly wallet: {
    readonly balances: readonly { readonly currency: string; readonly remainingValue: number }[];
  };
}

/** The same token with one bit of its signature flipped. */
function forgeSignature(compact: string): string {
  const token = JSON.parse(Buffer.from(compact.slice(5), 'base64url').toString('utf8')) as {
    signature: string;
  };
  const first = token.signature[0] === '0' ? '1' : '0';
  token.signature = first + token.signature.slice(1);
  return `nst1.${Buffer.from(JSON.stringify(token)).toString('base64url')}`;
}

const money = (minor: number): string => `NZD ${(minor / 100).toFixed(2)}`;
const masked = (msisdn: string): string => `${msisdn.slice(0, 4)}•••${msisdn.slice(-3)}`;

function printMobileSummary(
  o: MobileDemoOptions,
  t: Tallies,
  accounts: readonly { s: Plan; view: MobileAccount }[],
  paid: Record<string, number>,
  batches: number,
  audit: AuditVerdict,
): void {
  const lines: string[] = ['', `Mobile-NetPay demo day ${o.runId}`, ''];
  const charged = accounts.reduce((n, a) => n + a.view.account.charged, 0);
  lines.push(
    `subscribers      ${accounts.length} (${accounts.filter((a) => a.s.plan === 'prepaid').length} prepaid, ${accounts.filter((a) => a.s.plan === 'postpaid').length} postpaid)`,
  );
  for (const { s, view } of accounts) {
    const a = view.account;
    const state =
      a.plan === 'prepaid'
        ? `balance ${money(a.balance ?? 0)} of ${money(s.limit)}`
        : `bill ${money(a.bill?.charged ?? 0)} (cap ${money(a.bill?.spendingCap ?? 0)})`;
    const left = view.wallet.balances.reduce((n, b) => n + b.remainingValue, 0);
    lines.push(
      `  ${s.name.padEnd(7)} ${masked(s.msisdn)} ${a.plan.padEnd(9)} charged ${money(a.charged)}  ${state}  e-wallet ${money(left)} left`,
    );
  }
  lines.push(`operator billed  ${money(charged)} for e-coins (one macro-payment per purchase)`);
  lines.push(`content sold     ${t.sales} sales, ${t.coins} coins; ${t.handOffs} moves between vendors`);
  const types = audit.report.replay?.eventsByType ?? {};
  lines.push(
    `e-wallet moves   ${types.WalletCheckedOut ?? 0} slices checked out from the SP, ` +
      `${types.IndexHandedOff ?? 0} hand-offs vendor to vendor (no SP call)`,
  );
  for (const [vendor, v] of [...t.perVendor.entries()].sort()) {
    lines.push(
      `  ${vendor.padEnd(12)} ${String(v.sales).padStart(4)} sales ${String(v.coins).padStart(5)} coins   paid ${money(paid[vendor] ?? 0)}`,
    );
  }
  lines.push('', 'refused (a subscriber whose wallet ran out, or who was over a limit, is refused cleanly):');
  // One line per subscriber and answer: a wallet that ran out is refused at every shop it visits.
  const grouped = new Map<string, { line: string; count: number }>();
  for (const r of t.refusals) {
    const got = r.reason ? `${r.code} ${r.reason}` : r.code;
    const line = `${r.who.padEnd(7)} ${got}${(r.reason ?? r.code) === r.expected ? '' : ` (expected ${r.expected})`}`;
    const seen = grouped.get(line);
    if (seen) seen.count += 1;
    else grouped.set(line, { line: `${r.who.padEnd(7)} ${r.what}: ${got}`, count: 1 });
  }
  for (const [key, g] of grouped)
    lines.push(
      g.count === 1 ? `  ${g.line}` : `  ${key} × ${g.count} (first: ${g.line.slice(8).split(':')[0]})`,
    );
  lines.push('', 'attacks:');
  for (const a of t.attacks) {
    lines.push(`  ${a.got === a.expected ? 'refused ' : 'ACCEPTED'} ${a.name}: ${a.got}`);
  }
  if (t.failures > 0)
    lines.push(`  ${t.failures} calls failed for a reason other than a refusal (see the logs)`);
  lines.push('', `night            ${batches} redemption batches sealed, verified and paid`);
  const r = audit.report;
  const verdict =
    audit.exitCode === 0
      ? 'CLEAN'
      : `${r.violationCount ?? '?'} VIOLATIONS ${JSON.stringify(r.violationsByRule ?? {})}`;
  lines.push(
    `audit            ${verdict} — ${r.replay?.events ?? '?'} events replayed (operator ledger included)`,
  );
  lines.push(`events           JetStream stream ${o.options.streamName}`, '');
  console.log(lines.join('\n'));
}
