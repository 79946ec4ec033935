import type { RedemptionItemAccepted, RedemptionItemRejected } from '#events';
import type { BatchVerdict } from '../domain/verify-batch.js';

/** The batch's verdicts as events, in item order. */
export function verdictEvents(
  batchId: string,
  verdict: BatchVerdict,
  at: string,
): (RedemptionItemAccepted | RedemptionItemRejected)[] {
  return verdict.verdicts.map((v) => {
    const range = { batchId, chainId: v.chainId, fromIndex: v.fromIndex, toIndex: v.toIndex };
    return v.ok
      ? {
          type: 'RedemptionItemAccepted',
          version: 1,
          data: { ...range, amount: v.amount, currency: v.currency, at },
        }
      : {
          type: 'RedemptionItemRejected',
          version: 1,
          data: { ...range, reason: v.reason, detail: v.detail, at },
        };
  });
}
