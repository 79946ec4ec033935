import type { AuditVerdict, NightReport } from './night.js';
import type { Tally } from './tally.js';

export interface Summary {
  readonly runId: string;
  readonly seconds: number;
  readonly tally: Tally;
  /** Vendor id → minor units in its bank account after the night. */
  readonly paid: Readonly<Record<string, number>>;
  readonly nights: readonly NightReport[];
  readonly audit: AuditVerdict;
  readonly streamName: string;
}

const money = (minor: number): string => `NZD ${(minor / 100).toFixed(2)}`;

export function printSummary(s: Summary): void {
  const t = s.tally;
  const lines: string[] = [];
  lines.push('', `NetPay demo day ${s.runId} — ${s.seconds.toFixed(1)} s`, '');
  lines.push(
    `customers        ${t.customers.client} client-side wallets, ${t.customers.server} server-side wallets`,
  );
  lines.push(
    `coins issued     ${t.coinsBought} in ${t.purchases} purchases, ${money(t.amountPaid)} paid to the broker`,
  );
  lines.push(`content sold     ${t.sales} sales, ${t.coinsSpent} coins spent`);
  lines.push(`hand-offs        ${t.handOffs} (of which ${t.claims} claimed from a crashed vendor)`);
  lines.push(`vendor restarts  ${t.vendorRestarts}`);
  const refunded = t.cashOuts.reduce((n, c) => n + c.amount, 0);
  lines.push(
    `cash-out         ${t.cashOuts.length} chain(s) closed, ${t.cashOuts.reduce((n, c) => n + c.coins, 0)} unspent coins, ${money(refunded)} refunded`,
  );
  lines.push(
    `expiry           ${t.expiries.length} chain(s) expired and settled by the broker's sweep, ${t.expiries.reduce((n, c) => n + c.coins, 0)} unspent coins, ${money(t.expiries.reduce((n, c) => n + c.amount, 0))} refunded`,
  );
  for (const [vendor, v] of [...t.perVendor.entries()].sort()) {
    lines.push(
      `  ${vendor.padEnd(12)} ${String(v.sales).padStart(5)} sales ${String(v.coins).padStart(6)} coins   paid ${money(s.paid[vendor] ?? 0)}`,
    );
  }
  lines.push('', 'refused attempts:');
  if (t.refused.size === 0) lines.push('  none');
  for (const [code, n] of [...t.refused.entries()].sort()) lines.push(`  ${code.padEnd(32)} ${n}`);
  lines.push('', 'attacks:');
  for (const a of t.attacks) {
    lines.push(
      `  ${a.refused ? 'refused ' : 'ACCEPTED'} ${a.name}: ${a.got}${a.got === a.expected ? '' : ` (expected ${a.expected})`}`,
    );
  }
  if (t.failures > 0)
    lines.push(`  ${t.failures} purchases failed for a reason other than a refusal (see the logs)`);
  const batches = s.nights.reduce((n, r) => n + (r.sealed?.length ?? 0), 0);
  lines.push('', `night            ${batches} redemption batches sealed, verified and paid`);
  const r = s.audit.report;
  const verdict =
    s.audit.exitCode === 0
      ? 'CLEAN'
      : `${r.violationCount ?? '?'} VIOLATIONS ${JSON.stringify(r.violationsByRule ?? {})}`;
  lines.push(
    `audit            ${verdict} — ${r.replay?.events ?? '?'} events replayed at ${Math.round(r.run?.eventsPerSecond ?? 0)} events/s`,
  );
  lines.push(`events           JetStream stream ${s.streamName}`, '');
  console.log(lines.join('\n'));
}
