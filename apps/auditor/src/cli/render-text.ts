import type { Finding } from '../core/findings.js';
import type { AuditReport, ChainReport, MoneyReport } from '../core/report.js';
import type { RunInfo } from './render-json.js';

const n = (value: number | bigint): string => value.toLocaleString('en-US');
const plural = (count: number, word: string): string => `${n(count)} ${word}${count === 1 ? '' : 's'}`;

const MONEY_ROWS: readonly [keyof MoneyReport, string][] = [
  ['customerPayments', 'customer payments'],
  ['valueIssued', 'value issued'],
  ['valueReissued', '  of which re-issued'],
  ['valueSpent', 'value spent at vendors'],
  ['valueRedeemed', 'redeemed (accepted)'],
  ['paidToVendors', 'paid to vendors'],
  ['owedToVendors', 'owed to vendors'],
  ['refunded', 'refunded to customers'],
  ['expiredSettled', 'settled at expiry'],
  ['unspentOutstanding', 'unspent'],
  ['refundsOwed', '  of which refunds owed'],
  ['unspentHeld', '  of which held (revoked)'],
  ['spentNotRedeemed', 'spent, not yet redeemed'],
  ['outstandingLiability', 'outstanding liability'],
];

function finding(f: Finding<string>): string {
  const where = f.position === null ? 'end of replay' : `@${f.position} ${f.stream} rev ${f.revision ?? '?'}`;
  return `  ${f.code.padEnd(34)} ${where}${f.eventType ? ` ${f.eventType}` : ''}\n      ${f.detail}`;
}

function moneyTable(money: Readonly<Record<string, MoneyReport>>): string[] {
  const currencies = Object.keys(money);
  if (currencies.length === 0) return ['Money      none moved'];
  const lines = [`${'Money (minor units)'.padEnd(30)}${currencies.map((c) => c.padStart(16)).join('')}`];
  for (const [key, label] of MONEY_ROWS) {
    lines.push(
      `  ${label.padEnd(28)}${currencies.map((c) => n(money[c]?.[key] ?? 0).padStart(16)).join('')}`,
    );
  }
  return lines;
}

function chainSection(c: ChainReport): string[] {
  const lines = [
    `Chain ${c.chainId}: ${c.wallet}-side, ${c.alg}, ${n(c.length)} coins × ${n(c.coinValue)} ${c.currency}, ` +
      `broker key ${c.brokerKeyId} (${c.touchstoneVerified ? 'signature valid' : 'SIGNATURE NOT VALID'})`,
    `  ${c.status}, index ${c.index}, holder ${c.holder ?? 'none'}` +
      `${c.sliceEnd === null ? '' : `, slice ends at ${c.sliceEnd}`}; ${n(c.coinsSpent)} coins spent, ` +
      `refunded ${n(c.refunded)}; purchase ${c.purchaseId ?? 'unknown'}` +
      `${c.reissueOf ? `; re-issues ${c.reissueOf}` : ''}${c.reissuedAs ? `; re-issued as ${c.reissuedAs}` : ''}`,
    `  valid spends by vendor: ${
      Object.entries(c.validSpends)
        .map(([v, k]) => `${v} ${n(k)}`)
        .join(', ') || 'none'
    }`,
    `  redeemed: ${c.redeemed.map((r) => `${r.from}..${r.to} ${r.vendorId} (${r.batchId})`).join(', ') || 'none'}`,
    '  history:',
  ];
  for (const t of c.timeline) lines.push(`    @${t.position} rev ${t.revision} ${t.type}: ${t.summary}`);
  return lines;
}

/** The summary an auditor reads on a terminal. */
export function renderText(report: AuditReport, run: RunInfo, show: number): string {
  const r = report.replay;
  const scope = [
    report.scope.from === null ? 'from the start' : `after position ${report.scope.from}`,
    report.scope.chainId === null ? '' : `chain ${report.scope.chainId} only`,
  ].filter(Boolean);
  const c = report.chains;
  const lines = [
    `NetPay audit of ${run.store}, ${scope.join(', ')}`,
    `Replayed   ${plural(r.events, 'event')}` +
      (r.firstPosition === null ? '' : ` (positions ${r.firstPosition}..${r.lastPosition})`) +
      ` from ${plural(r.streams, 'stream')} in ${(run.durationMs / 1000).toFixed(2)} s: ` +
      `${n(Math.round(run.eventsPerSecond))} events/s` +
      (r.skipped > 0 ? `; ${n(r.skipped)} events of other chains passed over` : ''),
    `  by category: ${
      Object.entries(r.eventsByCategory)
        .map(([k, v]) => `${k} ${n(v)}`)
        .join(' · ') || 'none'
    }`,
    `Chains     ${n(c.issued)} issued (${n(c.clientWallets)} client-side, ${n(c.serverWallets)} server-side` +
      `${c.weak > 0 ? `, ${n(c.weak)} WEAK md5` : ''}); ${n(c.open)} open, ${n(c.revoked)} revoked, ${n(c.closed)} closed`,
    `           ${plural(c.spends, 'spend')}, ${plural(c.checkouts, 'checkout')}, ${plural(c.handOffs, 'hand-off')}, ` +
      `${plural(c.claims, 'claim')}`,
    `Coins      ${n(report.coins.issued)} issued, ${n(report.coins.spent)} spent, ${n(report.coins.redeemed)} redeemed`,
    `Parties    ${plural(report.parties.customers, 'customer')}, ${plural(report.parties.vendors, 'vendor')}, ` +
      `${plural(report.parties.purchases, 'purchase')} (${n(report.parties.purchasesDeclined)} declined), ` +
      `${plural(report.parties.refunds, 'refund')}` +
      (report.parties.refundsDeclined > 0
        ? ` (${n(report.parties.refundsDeclined)} declined by the bank)`
        : ''),
    `Redemption ${n(report.redemption.batchesSealed)} batches sealed, ${n(report.redemption.batchesPaid)} paid; ` +
      `${n(report.redemption.itemsAccepted)} items accepted, ${n(report.redemption.itemsRejected)} rejected`,
    ...moneyTable(report.money),
  ];
  if (report.chain !== undefined) lines.push(...chainSection(report.chain));
  else if (report.scope.chainId !== null)
    lines.push(`Chain ${report.scope.chainId}: never issued in what was read`);

  const byRule = Object.entries(report.violationsByRule).map(([rule, count]) => `${rule} ${n(count)}`);
  lines.push(
    `Violations ${report.violationCount === 0 ? 'none' : `${n(report.violationCount)}: ${byRule.join(', ')}`}`,
  );
  for (const v of report.violations.slice(0, show)) lines.push(finding(v));
  if (report.violationCount > Math.min(show, report.violations.length)) {
    lines.push(
      `  … ${n(report.violationCount - Math.min(show, report.violations.length))} more (see --json, --show)`,
    );
  }
  if (report.warningCount > 0) {
    lines.push(`Warnings   ${n(report.warningCount)}`);
    for (const w of report.warnings.slice(0, show)) lines.push(finding(w));
  }
  lines.push(
    report.ok ? 'Result     PASS' : `Result     FAIL (${plural(report.violationCount, 'violation')})`,
  );
  return lines.join('\n');
}
