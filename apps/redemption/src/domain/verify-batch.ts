import type { RedemptionItem } from '#events';
import { verifyPaywordAgainst } from '#protocol';
import { segmentAt, type ChainLedger, type SpentSegment } from './chain-ledger.js';
import { REDEMPTION, type RedemptionReason } from './reasons.js';

/** A sealed batch as the broker reads it back: nothing in it is trusted. */
export interface BatchClaim {
  readonly batchId: string;
  readonly vendorId: string;
  readonly items: readonly RedemptionItem[];
}

/** A range already accepted for redemption (from `redeemed-<chainId>`). */
export interface RedeemedRange {
  readonly fromIndex: number;
  readonly toIndex: number;
  readonly vendorId: string;
  readonly batchId: string;
  readonly item: number;
}

export interface VerifyBatchInput {
  readonly batch: BatchClaim;
  /** Every chain an item names, replayed from its stream (`replayChain`); a missing one is unknown. */
  readonly chains: ReadonlyMap<string, ChainLedger>;
  /** Ranges already redeemed, per chain. */
  readonly redeemed: ReadonlyMap<string, readonly RedeemedRange[]>;
}

interface ItemRef {
  /** Position of the item in the batch. */
  readonly item: number;
  readonly chainId: string;
  readonly fromIndex: number;
  readonly toIndex: number;
}

export type ItemVerdict =
  | (ItemRef & {
      readonly ok: true;
      readonly amount: number;
      readonly currency: string;
      /** Already in the chain's redemption ledger under this batch and item (a run that crashed). */
      readonly reserved: boolean;
    })
  | (ItemRef & { readonly ok: false; readonly reason: RedemptionReason; readonly detail: string });

export interface BatchVerdict {
  readonly verdicts: readonly ItemVerdict[];
  /** The batch's currency: that of its first item on a chain with a valid touchstone. */
  readonly currency: string | undefined;
  /** Σ accepted amounts, minor units of `currency`. */
  readonly total: number;
}

/**
 * The broker's verdict on every item of a batch, from the chains' own histories alone: the
 * range must lie within what the chain shows this vendor validly spent while holder, its proof
 * must hash down to the chain's recorded word below it (and so to the signed root), and it
 * must not overlap anything already redeemed, by anyone, in this batch or before. Pure.
 */
export function verifyBatch(input: VerifyBatchInput): BatchVerdict {
  const { batch, chains } = input;
  const currency = batchCurrency(batch, chains);
  const taken = new Map<string, RedeemedRange[]>();
  for (const [chainId, ranges] of input.redeemed) taken.set(chainId, [...ranges]);
  const verdicts: ItemVerdict[] = [];
  let total = 0;
  batch.items.forEach((claimed, item) => {
    const ref: ItemRef = {
      item,
      chainId: claimed.chainId,
      fromIndex: claimed.fromIndex,
      toIndex: claimed.toIndex,
    };
    const verdict = verifyItem(
      batch,
      ref,
      claimed.proofPayword,
      chains.get(claimed.chainId),
      currency,
      taken,
    );
    if (verdict.ok) {
      total += verdict.amount;
      const ranges = taken.get(ref.chainId) ?? [];
      if (!verdict.reserved) ranges.push({ ...ref, vendorId: batch.vendorId, batchId: batch.batchId });
      taken.set(ref.chainId, ranges);
    }
    verdicts.push(verdict);
  });
  return { verdicts, currency, total };
}

function verifyItem(
  batch: BatchClaim,
  ref: ItemRef,
  proof: string,
  chain: ChainLedger | undefined,
  currency: string | undefined,
  taken: ReadonlyMap<string, readonly RedeemedRange[]>,
): ItemVerdict {
  const no = (reason: RedemptionReason, detail: string): ItemVerdict => ({
    ...ref,
    ok: false,
    reason,
    detail,
  });
  const { fromIndex: from, toIndex: to } = ref;
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 1 || to < from) {
    return no(REDEMPTION.MALFORMED_ITEM, `${from}..${to} is not a range of positions`);
  }
  if (chain === undefined || chain.status === 'unknown') {
    return no(REDEMPTION.UNKNOWN_CHAIN, `chain ${ref.chainId} was never issued`);
  }
  if (chain.status === 'bad-touchstone')
    return no(
      chain.unknownKey === true ? REDEMPTION.UNKNOWN_BROKER_KEY : REDEMPTION.BAD_TOUCHSTONE,
      chain.reason,
    );
  const t = chain.touchstone;
  const ranges = taken.get(ref.chainId) ?? [];
  const amount = (to - from + 1) * t.coinValue;
  if (t.currency !== currency) {
    return no(REDEMPTION.CURRENCY_MISMATCH, `chain is in ${t.currency}, the batch is paid in ${currency}`);
  }
  if (to >= chain.index) {
    const spent = chain.index > 1 ? `1..${chain.index - 1}` : 'nothing';
    return no(REDEMPTION.NOT_SPENT, `positions up to ${to} claimed; the chain shows ${spent} spent`);
  }
  const elsewhere = spentElsewhere(chain.segments, batch.vendorId, from, to);
  if (elsewhere !== undefined) {
    return no(
      REDEMPTION.NOT_SPENT_BY_VENDOR,
      elsewhere.unpaid === undefined
        ? `positions ${elsewhere.fromIndex}..${elsewhere.toIndex} were spent at vendor ${elsewhere.vendorId}`
        : `positions ${elsewhere.fromIndex}..${elsewhere.toIndex} are payable to no one: ${elsewhere.unpaid}`,
    );
  }
  // Hash the proof down to the word the chain recorded just below the item's first spend.
  const base = segmentAt(chain.segments, from)!;
  const check = verifyPaywordAgainst(t.alg, ref.chainId, base.fromIndex - 1, base.previousPayword, to, proof);
  if (!check.ok) return no(REDEMPTION.BAD_PROOF, `proof is not W[${to}] of chain ${ref.chainId}`);
  // This batch's own reservation (a run that crashed before its verdicts, or the payment step's
  // second look): it counts only after the chain itself has shown the item holds.
  const own = ranges.find((r) => r.batchId === batch.batchId && r.item === ref.item);
  if (own !== undefined && own.fromIndex === from && own.toIndex === to) {
    return { ...ref, ok: true, amount, currency: t.currency, reserved: true };
  }
  const clash = ranges.find(
    (r) => r.fromIndex <= to && from <= r.toIndex && !(r.batchId === batch.batchId && r.item === ref.item),
  );
  if (clash !== undefined) {
    const where = `${clash.fromIndex}..${clash.toIndex} (batch ${clash.batchId}, item ${clash.item})`;
    return clash.fromIndex <= from && to <= clash.toIndex
      ? no(REDEMPTION.ALREADY_REDEEMED, `already redeemed as ${where}`)
      : no(REDEMPTION.OVERLAP, `overlaps ${where}`);
  }
  return { ...ref, ok: true, amount, currency: t.currency, reserved: false };
}

/** The first valid spend inside [from, to] by someone other than `vendorId`. */
function spentElsewhere(
  segments: readonly SpentSegment[],
  vendorId: string,
  from: number,
  to: number,
): SpentSegment | undefined {
  for (let position = from; position <= to;) {
    const s = segmentAt(segments, position)!;
    if (s.vendorId !== vendorId || s.unpaid !== undefined) return s;
    position = s.toIndex + 1;
  }
  return undefined;
}

function batchCurrency(batch: BatchClaim, chains: ReadonlyMap<string, ChainLedger>): string | undefined {
  for (const item of batch.items) {
    const chain = chains.get(item.chainId);
    if (chain?.status === 'issued') return chain.touchstone.currency;
  }
  return undefined;
}
