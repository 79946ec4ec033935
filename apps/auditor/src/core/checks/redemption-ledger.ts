import { redemptionLedgerStream, type RangeRedeemed } from '#events';
import type { Reporter } from '../findings.js';
import type { Ledger } from '../ledger/ledger.js';
import type { Range } from '../ledger/ranges.js';
import { RULES } from '../rules.js';
import type { CheckContext } from './context.js';
import { knownBatch } from './redemption.js';
import { signedByWorker } from './worker-signature.js';

/**
 * R3 on the per-chain redemption ledger (`redeemed-<chainId>`), which the
 * broker appends with the expected revision so a range is accepted once: its
 * ranges never overlap, and each is an item of a sealed batch of that vendor.
 * Whether the vendor spent it is checked on the accepted item itself.
 */
export function onRangeRedeemed(ctx: CheckContext, data: RangeRedeemed['data']): void {
  const { ledger, report } = ctx;
  const { chainId, fromIndex, toIndex, batchId } = data;
  const range = `${chainId} ${fromIndex}..${toIndex}`;
  if (
    !signedByWorker(ctx, `reservation of ${range} for batch ${batchId}`, {
      type: 'RangeRedeemed',
      version: 1,
      data,
    })
  )
    return;
  ledger.rangeLedgerInUse = true;
  ctx.figures.rangesRedeemed += 1;
  if (ctx.at.stream !== redemptionLedgerStream(chainId)) {
    report.violation(
      RULES.EVENT_IN_WRONG_STREAM,
      `RangeRedeemed for ${chainId} in ${ctx.at.stream}`,
      chainId,
    );
  }
  const batch = knownBatch(ctx, batchId, `redeemed ${range}`, chainId);
  const item = batch?.itemList[data.item];
  if (
    batch !== undefined &&
    (batch.vendorId !== data.vendorId ||
      item?.chainId !== chainId ||
      item.fromIndex !== fromIndex ||
      item.toIndex !== toIndex)
  ) {
    report.violation(
      RULES.ITEM_NOT_IN_BATCH,
      `redeemed ${range} for ${data.vendorId} as item ${data.item} of batch ${batchId} (${batch.vendorId}), ` +
        `which is ${item ? `${item.chainId} ${item.fromIndex}..${item.toIndex}` : 'not there'}`,
      chainId,
    );
  }
  const chain = ledger.chains.get(chainId);
  if (chain === undefined) {
    report.violation(RULES.REDEEMED_NOT_SPENT, `redeemed ${range}: the chain was never issued`, chainId);
    return;
  }
  const overlaps = chain.ledgerRanges.overlapping(fromIndex, toIndex);
  if (overlaps.length > 0) {
    const other = overlaps.map((r) => `${r.from}..${r.to} (${r.vendorId}, batch ${r.batchId})`).join(', ');
    report.violation(RULES.OVERLAPPING_REDEMPTION, `redeemed ${range} overlaps ${other}`, chainId);
  } else {
    chain.ledgerRanges.insert({ from: fromIndex, to: toIndex, vendorId: data.vendorId, batchId });
  }
}

function same(a: readonly Range[], b: readonly Range[]): boolean {
  return a.length === b.length && a.every((r, i) => r.from === b[i]?.from && r.to === b[i]?.to);
}

/** At the end: the ledger and the accepted items tell the same story, chain by chain. */
export function checkRedemptionLedger(ledger: Ledger, reporterFor: (chainId: string) => Reporter): void {
  if (!ledger.rangeLedgerInUse) return;
  for (const chain of ledger.chains.values()) {
    const accepted = chain.redeemed.all();
    const recorded = chain.ledgerRanges.all();
    if (same(accepted, recorded)) continue;
    const show = (ranges: readonly Range[]): string =>
      ranges.map((r) => `${r.from}..${r.to}`).join(', ') || 'none';
    reporterFor(chain.chainId).violation(
      RULES.REDEMPTION_LEDGER_MISMATCH,
      `chain ${chain.chainId}: items accepted ${show(accepted)}, but redeemed-${chain.chainId} holds ${show(recorded)}`,
      chain.chainId,
    );
  }
}
