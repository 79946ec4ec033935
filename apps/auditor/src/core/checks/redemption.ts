import type {
  RedemptionBatchSealed,
  RedemptionItemAccepted,
  RedemptionItemRejected,
  VendorPaid,
  VendorPayoutDeclined,
} from '#events';
import { FRAUD_REASONS } from '#events';
import { addTo, itemKey, type BatchRecord } from '../ledger/ledger.js';
import { recordMovement } from './bank.js';
import { RULES, type RuleCode } from '../rules.js';
import type { CheckContext } from './context.js';
import { signedByWorker } from './worker-signature.js';

/**
 * R3: what the broker accepted for redemption never overlaps what it accepted
 * before (from any vendor), never exceeds what that vendor validly spent (the
 * seed-004 fraud: a vendor deriving W[n-1] from W[n-2] it was paid elsewhere),
 * carries a proof that is this chain's word, and each batch is paid once, for
 * exactly what was accepted.
 */
export function onBatchSealed(ctx: CheckContext, data: RedemptionBatchSealed['data']): void {
  ctx.figures.batchesSealed += 1;
  if (ctx.ledger.batches.has(data.batchId)) {
    ctx.report.violation(
      RULES.BATCH_SEALED_TWICE,
      `batch ${data.batchId} was already sealed; this seal is ignored`,
    );
    return;
  }
  const items = new Map(
    data.items.map((item) => [itemKey(item.chainId, item.fromIndex, item.toIndex), item]),
  );
  ctx.ledger.batches.set(data.batchId, {
    batchId: data.batchId,
    vendorId: data.vendorId,
    items,
    itemList: data.items,
    accepted: new Map(),
    unverified: [],
    paid: false,
  });
}

export function knownBatch(
  ctx: CheckContext,
  batchId: string,
  what: string,
  chainId?: string,
): BatchRecord | undefined {
  const batch = ctx.ledger.batches.get(batchId);
  // After `--from` the seal may lie before the window, in a stream nothing in the window names.
  if (batch === undefined && !ctx.partial) {
    ctx.report.violation(RULES.UNKNOWN_BATCH, `${what} for batch ${batchId}, never sealed`, chainId);
  }
  return batch;
}

export function onItemAccepted(ctx: CheckContext, data: RedemptionItemAccepted['data']): void {
  const { ledger, figures } = ctx;
  const { chainId, fromIndex, toIndex } = data;
  const range = `${chainId} ${fromIndex}..${toIndex}`;
  const batch = knownBatch(ctx, data.batchId, `accepted ${range}`, chainId);
  if (
    !signedByWorker(ctx, `accepted ${range} in batch ${data.batchId}`, {
      type: 'RedemptionItemAccepted',
      data,
    })
  ) {
    batch?.unverified.push(`${range}: not signed by the redemption worker`);
    return;
  }
  figures.itemsAccepted += 1;
  figures.moneyIn(data.currency).valueRedeemed += data.amount;
  if (batch === undefined) return;
  addTo(batch.accepted, data.currency, data.amount);
  // Every finding on an accepted item also makes it one the batch must not be paid on.
  const report = {
    violation: (code: RuleCode, detail: string, chain?: string): void => {
      batch.unverified.push(`${range}: ${code}`);
      ctx.report.violation(code, detail, chain);
    },
  };
  const item = batch.items.get(itemKey(chainId, fromIndex, toIndex));
  if (item === undefined) {
    report.violation(
      RULES.ITEM_NOT_IN_BATCH,
      `accepted ${range}, which batch ${batch.batchId} does not claim`,
      chainId,
    );
  }
  if (batch.paid) {
    report.violation(
      RULES.ACCEPTED_AFTER_PAYMENT,
      `accepted ${range} after batch ${batch.batchId} was paid`,
      chainId,
    );
  }
  const chain = ledger.chains.get(chainId);
  if (chain === undefined) {
    report.violation(RULES.REDEEMED_NOT_SPENT, `accepted ${range}: the chain was never issued`, chainId);
    return;
  }
  const count = toIndex - fromIndex + 1;
  figures.coinsRedeemed += count;
  if (data.currency !== chain.currency || data.amount !== count * chain.coinValue) {
    report.violation(
      RULES.REDEEMED_VALUE_MISMATCH,
      `accepted ${range} for ${data.amount} ${data.currency}; ${count} coins × ${chain.coinValue} ${chain.currency} ` +
        `= ${count * chain.coinValue}`,
      chainId,
    );
  }
  const overlaps = chain.redeemed.overlapping(fromIndex, toIndex);
  if (overlaps.length > 0) {
    const other = overlaps.map((r) => `${r.from}..${r.to} (${r.vendorId}, batch ${r.batchId})`).join(', ');
    report.violation(
      RULES.OVERLAPPING_REDEMPTION,
      `accepted ${range} overlaps what was already redeemed: ${other}`,
      chainId,
    );
  } else
    chain.redeemed.insert({ from: fromIndex, to: toIndex, vendorId: batch.vendorId, batchId: batch.batchId });
  if (!(chain.validSpends.get(batch.vendorId)?.covers(fromIndex, toIndex) ?? false)) {
    report.violation(
      RULES.REDEEMED_NOT_SPENT,
      `accepted ${range} from ${batch.vendorId}, which did not validly spend all of it` +
        (chain.touchstoneVerified
          ? ` (its valid spends: ${describeSpends(chain.validSpends.get(batch.vendorId)?.all() ?? [])})`
          : ' (the touchstone did not verify: no spend of this chain is valid)'),
      chainId,
    );
  }
  if (item !== undefined && chain.words.check(toIndex, item.proofPayword) !== 'match') {
    report.violation(
      RULES.BAD_REDEMPTION_PROOF,
      `accepted ${range} on a proof that is not W[${toIndex}]`,
      chainId,
    );
  }
  chain.note(
    ctx.at.position,
    ctx.at.revision,
    'RedemptionItemAccepted',
    `${fromIndex}..${toIndex} redeemed by ${batch.vendorId}`,
  );
}

function describeSpends(ranges: readonly { from: number; to: number }[]): string {
  if (ranges.length === 0) return 'none';
  const shown = ranges.slice(0, 5).map((r) => `${r.from}..${r.to}`);
  return ranges.length > 5 ? `${shown.join(', ')}, … ${ranges.length} in all` : shown.join(', ');
}

export function onItemRejected(ctx: CheckContext, data: RedemptionItemRejected['data']): void {
  const range = `${data.chainId} ${data.fromIndex}..${data.toIndex}`;
  if (
    !signedByWorker(ctx, `rejected ${range} in batch ${data.batchId}`, {
      type: 'RedemptionItemRejected',
      data,
    })
  )
    return;
  ctx.figures.itemsRejected += 1;
  if (FRAUD_REASONS.has(data.reason))
    ctx.ledger.fraudRefusals.add(`${ctx.at.stream}/${data.batchId}/${data.item ?? ''}`);
  knownBatch(ctx, data.batchId, `rejected ${data.chainId} ${data.fromIndex}..${data.toIndex}`, data.chainId);
  ctx.ledger.chains
    .get(data.chainId)
    ?.note(
      ctx.at.position,
      ctx.at.revision,
      'RedemptionItemRejected',
      `${data.fromIndex}..${data.toIndex}: ${data.reason}`,
    );
}

export function onVendorPaid(ctx: CheckContext, data: VendorPaid['data']): void {
  const { figures, report } = ctx;
  const what = `payment of ${data.amount} ${data.currency} to ${data.vendorId} for batch ${data.batchId}`;
  if (!signedByWorker(ctx, what, { type: 'VendorPaid', version: 1, data })) return;
  const suspendedAt = ctx.ledger.suspendedVendors.get(data.vendorId);
  if (suspendedAt !== undefined)
    report.violation(
      RULES.SUSPENDED_VENDOR_PAID,
      `${what}: the vendor is suspended for fraud since ${suspendedAt}`,
    );
  figures.moneyIn(data.currency).paidToVendors += data.amount;
  addTo(ctx.ledger.vendor(data.vendorId).paid, data.currency, data.amount);
  recordMovement(ctx, {
    what: `payment of batch ${data.batchId} to ${data.vendorId}`,
    paymentRef: data.paymentRef,
    direction: 'credit',
    amount: data.amount,
    currency: data.currency,
  });
  const batch = knownBatch(
    ctx,
    data.batchId,
    `payment of ${data.amount} ${data.currency} to ${data.vendorId}`,
  );
  if (batch === undefined) return;
  if (batch.paid) {
    report.violation(RULES.BATCH_PAID_TWICE, `batch ${batch.batchId} of ${batch.vendorId} was already paid`);
    return;
  }
  batch.paid = true;
  figures.batchesPaid += 1;
  const accepted = batch.accepted.get(data.currency) ?? 0;
  if (data.vendorId !== batch.vendorId || data.amount !== accepted) {
    report.violation(
      RULES.PAID_AMOUNT_MISMATCH,
      `paid ${data.amount} ${data.currency} to ${data.vendorId} for batch ${batch.batchId} of ${batch.vendorId}, ` +
        `which had ${accepted} ${data.currency} accepted`,
    );
  }
  if (batch.unverified.length > 0) {
    const shown = batch.unverified.slice(0, 5).join('; ');
    report.violation(
      RULES.PAID_ON_UNVERIFIED_ITEMS,
      `paid ${data.amount} ${data.currency} to ${data.vendorId} for batch ${batch.batchId}, whose accepted items ` +
        `include ${batch.unverified.length} without a valid verification: ${shown}${batch.unverified.length > 5 ? '; …' : ''}`,
    );
  }
}

/** Nothing moved; the batch stays unpaid until a later attempt succeeds. */
export function onVendorPayoutDeclined(ctx: CheckContext, data: VendorPayoutDeclined['data']): void {
  ctx.figures.payoutsDeclined += 1;
  knownBatch(ctx, data.batchId, `declined payout to ${data.vendorId}`);
}
